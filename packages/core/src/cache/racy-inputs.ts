import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunSpec } from '../lifecycle/run-context.js';
import type { RacyInput } from './cache-entry.js';
import type { InputFingerprint } from './call-key.js';
import { hashFile } from './file-tree.js';
import { racilyClean } from '../util/racy-clock.js';

/**
 * Stat mode: the read-only inputs whose mtime falls in the tick the entry is recorded in, with
 * their content now. A key by size + mtime cannot tell them from a same-size rewrite within that
 * tick, so a hit checks them by content ({@link racyInputsHold}).
 */
export async function racyInputs(spec: RunSpec, files: InputFingerprint[], recordedAtMs: number): Promise<RacyInput[]> {
  const racy: RacyInput[] = [];
  for (const { mount, entry, sha256 } of files) {
    if (entry.kind !== 'file' || sha256 !== undefined || !racilyClean(entry.mtimeMs, recordedAtMs)) continue;
    const content = await hashFile(await inputPath(spec, mount, entry.rel)).catch(() => undefined);
    if (content) racy.push({ mount, rel: entry.rel, sha256: content });
  }
  return racy;
}

/** Whether every racy input still has the content it had when the entry was stored. */
export async function racyInputsHold(spec: RunSpec, racy: RacyInput[] | undefined): Promise<boolean> {
  for (const input of racy ?? []) {
    const now = await inputPath(spec, input.mount, input.rel)
      .then(hashFile)
      .catch(() => undefined);
    if (now !== input.sha256) return false;
  }
  return true;
}

/** As walkTree names it: below the mount's resolved root. */
async function inputPath(spec: RunSpec, mount: number, rel: string): Promise<string> {
  const root = spec.mounts[mount]!.path;
  const base = await realpath(root).catch(() => root);
  return rel ? join(base, rel) : base;
}
