import { join } from 'node:path';
import type { RunSpec } from '../lifecycle/run-context.js';
import type { KeptFile } from './cache-entry.js';
import type { InputMode } from './cache-settings.js';
import { hashFile, sameMtime, walkTree, type TreeEntry } from './file-tree.js';
import { isPartialPath } from './partial-names.js';
import { racilyClean } from '../util/racy-clock.js';
import { namedByCall, type ProducedFiles } from './produced-files.js';

/** What one writable mount holds at a moment: path, size, mtime, inode of everything in it. */
export interface MountState {
  mount: number;
  /** The mount's path as the call gave it; `base` is its real path. */
  path: string;
  base: string;
  entries: Map<string, TreeEntry>;
}

/** What a successful run changed in its writable mounts. */
export interface MountChanges {
  files: Array<{ state: MountState; entry: TreeEntry }>;
  directories: Array<{ mount: number; rel: string }>;
  /** Set when the run left something the cache does not store (a symlink, a FIFO): the call is not cached. */
  unstorable?: string;
}

export async function writableState(spec: RunSpec): Promise<MountState[]> {
  const states: MountState[] = [];
  for (const [mount, local] of spec.mounts.entries()) {
    if (!local.write) continue;
    const { base, entries } = await walkTree(local.path);
    states.push({ mount, path: local.path, base, entries: new Map(entries.map((e) => [e.rel, e])) });
  }
  return states;
}

/** New or changed entries (by size, mtime, inode or kind) between two snapshots. */
export function changesBetween(before: MountState[], after: MountState[]): MountChanges {
  const changes: MountChanges = { files: [], directories: [] };
  for (const [i, state] of after.entries()) {
    for (const entry of state.entries.values()) {
      const old = before[i]?.entries.get(entry.rel);
      if (old && !changed(old, entry)) continue;
      if (entry.kind === 'file') changes.files.push({ state, entry });
      else if (entry.kind === 'dir') {
        if (!old) changes.directories.push({ mount: state.mount, rel: entry.rel });
      } else changes.unstorable ??= `the tool left a ${entry.kind === 'link' ? 'symlink' : 'special file'} at ${join(state.base, entry.rel)}`;
    }
  }
  return changes;
}

/**
 * Files that were in writable mounts before the run and that it left alone: it may have read
 * them, so a hit requires them unchanged. Hidden temp names (`.partial-`) are never inputs, nor
 * are files the cache produced that the call does not name (as for read-only mounts:
 * produced-files.ts) — e.g. this step's own earlier output, which its recipe renames over.
 */
export async function keptFiles(
  before: MountState[],
  after: MountState[],
  mode: InputMode,
  spec: RunSpec,
  produced: ProducedFiles,
  recordedAtMs = Date.now(),
): Promise<KeptFile[]> {
  const kept: KeptFile[] = [];
  for (const [i, state] of before.entries()) {
    for (const entry of state.entries.values()) {
      const now = after[i]?.entries.get(entry.rel);
      if (entry.kind !== 'file' || !now || changed(entry, now) || isPartialPath(entry.rel)) continue;
      const local = spec.mounts[state.mount]!;
      const names = [join(state.base, entry.rel), join(local.path, entry.rel), join(local.target, entry.rel)];
      if ((await produced.produced(entry)) && !namedByCall(spec, names)) continue; // another cached call's output it does not name
      // Stat mode too hashes a file written in the tick being recorded: its stat proves nothing.
      const racy = racilyClean(entry.mtimeMs, recordedAtMs);
      const sha256 = mode === 'content' || racy ? await hashFile(join(state.base, entry.rel)) : undefined;
      kept.push({
        mount: state.mount,
        rel: entry.rel,
        size: entry.size,
        mtimeMs: entry.mtimeMs,
        ...(sha256 ? { sha256 } : {}),
        ...(racy ? { racy: true } : {}),
      });
    }
  }
  return kept;
}

/** Whether every kept file is still there as it was: size and mtime (unless racy), or size and content. */
export async function keptStillHold(kept: KeptFile[], states: MountState[]): Promise<boolean> {
  for (const file of kept) {
    const state = states.find((s) => s.mount === file.mount);
    const now = state?.entries.get(file.rel);
    if (!state || now?.kind !== 'file' || now.size !== file.size) return false;
    if (sameMtime(now.mtimeMs, file.mtimeMs) && !file.racy) continue;
    if (!file.sha256 || (await hashFile(join(state.base, file.rel)).catch(() => '')) !== file.sha256) return false;
  }
  return true;
}

function changed(a: TreeEntry, b: TreeEntry): boolean {
  return a.kind !== b.kind || a.size !== b.size || a.mtimeMs !== b.mtimeMs || a.ino !== b.ino || a.link !== b.link;
}
