import { createHash } from 'node:crypto';
import type { RunSpec } from '../lifecycle/run-context.js';
import type { TreeEntry } from './file-tree.js';
import { canonicalPartials } from './partial-names.js';

/** An input file as it enters the key: by size + mtime, or by content. */
export interface InputFingerprint {
  mount: number;
  entry: TreeEntry;
  sha256?: string;
}

/**
 * The cache key of a call: SHA-256 over everything that decides what the tool does — the image's
 * immutable identity, argv (temp names canonical), entrypoint, cwd, env, user mode, network,
 * the mounts' targets and modes, every input file under the read-only mounts, and stdin's bytes.
 * Not in it: limits (cpus, memory, timeout) and sinks, which change how a run is done or where
 * its output goes, not what it computes.
 */
export function callKey(spec: RunSpec, image: string, inputs: InputFingerprint[], stdinSha256: string | undefined): string {
  const { options } = spec;
  const parts = {
    v: 1,
    image,
    args: spec.args.map(canonicalPartials),
    entrypoint: options.entrypoint ?? null,
    cwd: options.cwd ?? null,
    env: Object.entries(options.env ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    user: userMode(options.user),
    network: options.network,
    mounts: spec.mounts.map((m) => [m.target, m.write]),
    inputs: inputs.map(inputPart),
    stdin: stdinSha256 ?? null,
  };
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** A file by size and content (or mtime); a directory by its name only (its mtime says nothing new). */
function inputPart({ mount, entry, sha256 }: InputFingerprint): unknown[] {
  const file = entry.kind === 'file';
  // Whole milliseconds: a restored file's mtime comes back within ~1 µs, not to the nanosecond.
  return [mount, entry.rel, entry.kind, file ? entry.size : 0, file ? (sha256 ?? Math.floor(entry.mtimeMs)) : null, entry.link ?? null];
}

/** `auto` runs as whoever calls: two users sharing a cache directory get different keys. */
function userMode(user: string): string {
  return user === 'auto' ? `auto:${process.getuid?.() ?? ''}:${process.getgid?.() ?? ''}` : user;
}
