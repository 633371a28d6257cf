import { realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * The path with symlinks resolved; for a path that does not exist yet (an output), its nearest
 * existing ancestor is resolved and the rest appended.
 */
export function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(realPath(parent), basename(path));
  }
}
