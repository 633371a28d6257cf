import { lstat, readdir, readlink, realpath } from 'node:fs/promises';
import { join } from 'node:path';

/** One entry below a mount, as seen without following any symlink. */
export interface TreeEntry {
  /** Path relative to the mount's root, `/`-separated; `''` when the mount is a single file. */
  rel: string;
  kind: 'file' | 'dir' | 'link' | 'other';
  size: number;
  mtimeMs: number;
  ino: number;
  mode: number;
  /** A symlink's target, as written (never followed: it may point out of the mount). */
  link?: string;
}

/**
 * Every entry under `root` (the mount's own path, resolved once since the daemon resolves it
 * too), in a stable order. Symlinks below the root are recorded by their target text and never
 * followed, so a link out of the mount neither leaks nor loops.
 */
export async function walkTree(root: string): Promise<{ base: string; entries: TreeEntry[] }> {
  const base = await realpath(root).catch(() => root);
  const top = await lstat(base).catch(() => undefined);
  if (!top) return { base, entries: [] };
  if (!top.isDirectory()) return { base, entries: [await entryOf(base, '')] };
  const entries: TreeEntry[] = [];
  await walkInto(base, '', entries);
  return { base, entries };
}

async function walkInto(base: string, rel: string, into: TreeEntry[]): Promise<void> {
  const names = (await readdir(join(base, rel)).catch(() => [] as string[])).sort();
  for (const name of names) {
    const childRel = rel ? `${rel}/${name}` : name;
    const entry = await entryOf(join(base, childRel), childRel).catch(() => undefined); // removed meanwhile
    if (!entry) continue;
    into.push(entry);
    if (entry.kind === 'dir') await walkInto(base, childRel, into);
  }
}

async function entryOf(path: string, rel: string): Promise<TreeEntry> {
  const stats = await lstat(path);
  const kind = stats.isFile() ? 'file' : stats.isDirectory() ? 'dir' : stats.isSymbolicLink() ? 'link' : 'other';
  const entry: TreeEntry = { rel, kind, size: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino, mode: stats.mode & 0o7777 };
  if (kind === 'link') entry.link = await readlink(path);
  return entry;
}

export { hashFile } from '../util/hash-file.js';

/**
 * Whether two mtimes are the same moment: a restored file gets its mtime back through `utimes`,
 * which takes seconds as a double and rounds by up to ~1 µs.
 */
export function sameMtime(a: number, b: number): boolean {
  return Math.abs(a - b) < 0.002;
}
