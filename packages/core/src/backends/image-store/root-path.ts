import { lstat, mkdir, readlink, rm } from 'node:fs/promises';
import { join } from 'node:path';

const MAX_LINKS = 40; // the kernel's own limit on links followed in one lookup

/**
 * The components of a path inside an image, `..` clamped at its root as in a chroot: the names a
 * layer, a link target or a whiteout uses. Empty for the root itself.
 */
export function imageComponents(path: string, from: readonly string[] = []): string[] {
  const parts = path.startsWith('/') ? [] : [...from];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts;
}

/**
 * The real directory on disk of `dir` (components) inside an image being built at `root`,
 * following the image's own symlinks as the container would see them — always inside `root`,
 * whatever a link says — and making missing directories (a file in the way is replaced: a later
 * layer wins). Nothing is ever resolved through a link outside `root`.
 */
export async function directoryInImage(root: string, dir: readonly string[]): Promise<string[]> {
  const resolved: string[] = [];
  const pending = [...dir];
  for (let links = 0; pending.length > 0;) {
    const name = pending.shift()!;
    const onDisk = join(root, ...resolved, name);
    const stat = await lstat(onDisk).catch(() => undefined);
    if (stat?.isSymbolicLink()) {
      if (++links > MAX_LINKS) throw new Error(`too many symbolic links under /${[...resolved, name].join('/')}`);
      pending.unshift(...imageComponents(await readlink(onDisk), resolved));
      resolved.length = 0; // imageComponents already put the link's own directory in front
      continue;
    }
    if (stat && !stat.isDirectory()) await rm(onDisk, { force: true });
    if (!stat?.isDirectory()) await mkdir(onDisk, { mode: 0o755 });
    resolved.push(name);
  }
  return resolved;
}
