import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * The path with symlinks resolved; for a path that does not exist yet (an output), its nearest
 * existing ancestor is resolved and the rest appended. A dangling symlink resolves to where it
 * points (that is where a tool writing through it would land).
 */
export function realPath(path: string, depth = 0): string {
  try {
    return realpathSync(path);
  } catch {
    if (depth < 40 && isSymlink(path)) return realPath(resolve(dirname(path), readlinkSync(path)), depth + 1);
    const parent = dirname(path);
    return parent === path ? path : join(realPath(parent, depth + 1), basename(path));
  }
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
