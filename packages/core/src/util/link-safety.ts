import { lstatSync, type Stats } from 'node:fs';
import { lstat, readlink } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** A path shortened for a message (a hostile name can be kilobytes long). */
function shown(path: string): string {
  return JSON.stringify(path.length > 160 ? `${path.slice(0, 100)}…${path.slice(-40)}` : path);
}

/**
 * A writer refused to go through a symbolic link at or below a writable mount's root (the run's
 * lifecycle wraps it into the run's `ToolError`).
 */
export class LinkedPathError extends Error {
  override readonly name = 'LinkedPathError';
}

/**
 * The one "never through a link" rule, for every writer (cache restore, copy-back, `{ file }`
 * sinks, and before a bind mount is handed to the daemon): it starts at the mount's root. A
 * writable mount whose root is itself a symbolic link — a tool with write access to its parent
 * (an earlier run mounting `/w:rw`) can swap `/w/out` for a link to anywhere — is refused, never
 * written through; the caller who made the link on purpose passes its real path instead.
 */
export async function refuseLinkedRoot(root: string): Promise<void> {
  const here = await lstat(root).catch(() => undefined);
  if (here?.isSymbolicLink()) throw linkedRoot(root, await readlink(root).catch(() => '?'));
}

/**
 * For a `{ file }` sink: whether a symbolic link sits at `root` (a writable mount of the run
 * holding the file) or on the way from it to the file's directory; the problem in words, or
 * undefined. Synchronous: a sink opens its file as the run is created. Missing directories end
 * the walk (the write reports them).
 */
export function linkOnTheWay(root: string, file: string): string | undefined {
  const rel = relative(root, dirname(resolve(file)));
  if (rel.startsWith('..') || rel.startsWith(sep)) return undefined;
  let path = root;
  for (const name of ['', ...(rel === '' ? [] : rel.split(sep))]) {
    path = name === '' ? root : join(path, name);
    let here: Stats;
    try {
      here = lstatSync(path);
    } catch {
      return undefined;
    }
    if (here.isSymbolicLink())
      return `${shown(path)} is a symbolic link on the way from the writable mount ${shown(root)} to ${shown(file)}; tooldock never writes through a link below a writable mount (a tool may have planted it)`;
  }
  return undefined;
}

function linkedRoot(root: string, target: string): LinkedPathError {
  return new LinkedPathError(
    `the writable mount ${shown(root)} is a symbolic link (to ${shown(target)}); tooldock never writes through a link at a writable mount's root (a tool with write access above it may have planted it): pass the real path if the link is yours`,
  );
}
