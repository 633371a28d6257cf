import { lstat, rename, symlink } from 'node:fs/promises';
import { parentOf } from './archive-name.js';
import { copyBackError, CopyBackError, shown } from './copy-back-error.js';
import { stampOf } from './identity.js';
import { sentKey, type Unpack } from './stage-member.js';
import type { PathSync } from './sync-plan.js';

/** A path where the local version was kept over the tool's, and the words that say why. */
export interface KeptLocal {
  path: string;
  note: string;
}

/** What one copy-back did here. */
export interface SyncReport {
  written: string[];
  deleted: string[];
  kept: KeptLocal[];
  /** Directory modes, set last (after staging is gone: a read-only mount root must not block it). */
  directoryModes: Array<{ rel: string; mode: number }>;
}

/**
 * Applies the plan, so the local tree is what bind mode would have left: deletions first (files,
 * then directories deepest first), then what the tool made or changed, parents first, then
 * modes. `stopIfEnded` is asked before each step, so nothing moves after the run was ended.
 * Afterwards the sent tree holds what the tool container holds now: a warm session's next call
 * is compared against that.
 */
export async function commitSync(u: Unpack, plans: PathSync[], stopIfEnded: () => void): Promise<SyncReport> {
  const report: SyncReport = { written: [], deleted: [], kept: [], directoryModes: [] };
  const blocked: string[] = [];
  const keep = (plan: PathSync, note: string) => {
    report.kept.push({ path: u.here.path(localRel(u, plan.rel)), note });
    // Where the tool has a directory and this is none, nothing of the tool's may go below it.
    if (plan.returned?.kind === 'dir' && plan.local?.kind !== 'dir') blocked.push(plan.rel);
  };
  for (const plan of plans) if (plan.action.do === 'keep-local') keep(plan, keptNote(u, plan));
  const deletions = plans.filter((p) => p.action.do === 'delete');
  for (const plan of deletions.filter((p) => p.sent?.kind !== 'dir')) {
    stopIfEnded();
    await guarded(u, plan.rel, () => u.here.remove(plan.rel));
    report.deleted.push(u.here.path(plan.rel));
  }
  for (const plan of deletions.filter((p) => p.sent?.kind === 'dir').sort((a, b) => depth(b.rel) - depth(a.rel))) {
    stopIfEnded();
    if (await guarded(u, plan.rel, () => u.here.removeDirectory(plan.rel))) report.deleted.push(u.here.path(plan.rel));
    else keep(plan, `copy mode kept the directory ${shown(u.here.path(plan.rel))}: the tool deleted it, but it still holds files kept here`);
  }
  for (const plan of plans) {
    const below = blocked.find((b) => plan.rel.startsWith(`${b}/`));
    if (below !== undefined && plan.action.do !== 'none' && plan.action.do !== 'keep-local') {
      plan.action = { do: 'keep-local', why: 'changed-here' };
      report.kept.push({
        path: u.here.path(plan.rel),
        note: `copy mode did not bring back ${shown(u.here.path(plan.rel))}: ${shown(u.here.path(below))} was kept as it is here`,
      });
      continue;
    }
    if (plan.action.do === 'place') {
      stopIfEnded();
      if (!(await place(u, plan)))
        keep(
          plan,
          `copy mode kept the directory ${shown(u.here.path(plan.rel))}: the tool replaced it by a ${plan.returned!.kind}, but it still holds files kept here`,
        );
      else if (plan.returned!.kind !== 'dir') report.written.push(u.here.path(localRel(u, plan.rel)));
    }
    if ((plan.action.do === 'place' && plan.returned?.kind === 'dir') || plan.action.do === 'chmod') {
      const mode = plan.returned!.mode;
      if (mode === undefined) continue;
      if (plan.returned!.kind === 'dir') report.directoryModes.push({ rel: plan.rel, mode });
      else await guarded(u, plan.rel, () => u.here.setMode(localRel(u, plan.rel), mode));
    }
  }
  report.directoryModes.sort((a, b) => depth(b.rel) - depth(a.rel));
  await updateBaseline(u, plans);
  return report;
}

/** Puts the tool's version of one path in place; false when a directory here is not empty. */
async function place(u: Unpack, plan: PathSync): Promise<boolean> {
  const { here, staging } = u;
  const rel = localRel(u, plan.rel);
  const returned = plan.returned!;
  return guarded(u, rel, async () => {
    if (returned.kind === 'dir') {
      await here.ensureDirectory(rel);
      return true;
    }
    await here.ensureDirectory(parentOf(rel));
    const existing = await here.probe(rel);
    // The tool replaced a directory: it deleted what was in it (above); anything left is kept.
    if (existing?.isDirectory() && !(await here.removeDirectory(rel))) return false;
    const member = staging.member(plan.rel)!;
    let from = member.staged;
    if (returned.kind === 'symlink') await symlink(returned.link!, (from = await staging.stage(member)));
    if (!from) throw new CopyBackError(`copy mode lost the staged copy of ${shown(here.path(rel))}`);
    try {
      await rename(from, here.path(rel));
    } catch (error) {
      // A directory made here since the plan was made: left as it is, and said so.
      if ((await lstat(here.path(rel)).catch(() => undefined))?.isDirectory()) {
        throw new CopyBackError(
          `copy mode left the directory ${shown(here.path(rel))} as it was: it was made here while the outputs came back, where the tool left a ${returned.kind}`,
        );
      }
      throw error;
    }
    return true;
  });
}

/**
 * The sent tree becomes what the tool container holds now. A path placed or already matching
 * here gets a fresh stamp; one kept as it is here has none, so the next comparison looks at it.
 */
async function updateBaseline(u: Unpack, plans: PathSync[]): Promise<void> {
  const now = Date.now();
  for (const plan of plans) {
    const key = sentKey(plan.rel, u);
    if (!plan.returned) {
      u.sent.delete(key);
      continue;
    }
    if (plan.action.do === 'none' && plan.sent) {
      const entry = u.sent.get(key)!;
      entry.id = { ...plan.returned, sha256: plan.returned.sha256 ?? entry.id.sha256 };
      continue;
    }
    const stats =
      plan.action.do === 'keep-local' || plan.returned.kind !== 'file' ? undefined : await u.here.probe(localRel(u, plan.rel)).catch(() => undefined);
    u.sent.set(key, { id: plan.returned, ...(stats?.isFile() ? { stamp: stampOf(stats, now) } : {}) });
  }
}

function keptNote(u: Unpack, plan: PathSync): string {
  const path = shown(u.here.path(localRel(u, plan.rel)));
  switch (plan.action.do === 'keep-local' ? plan.action.why : 'changed-here') {
    case 'appeared-here':
      return `copy mode kept ${path} as it is here: it appeared here while the tool ran, and the tool left its own version`;
    case 'deleted-here':
      return `copy mode did not bring back ${path}: it was deleted here while the tool ran, and the tool changed it`;
    default:
      return `copy mode kept ${path} as it is here: it changed here since it was copied into the tool, and the tool ${plan.returned ? 'changed' : 'deleted'} it too`;
  }
}

/** Runs one filesystem step, its failure a {@link CopyBackError} naming the path. */
async function guarded<T>(u: Unpack, rel: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw copyBackError(error, u.here.path(rel));
  }
}

function localRel(u: Unpack, rel: string): string {
  return u.file ?? rel;
}

function depth(rel: string): number {
  return rel === '' ? 0 : rel.split('/').length;
}
