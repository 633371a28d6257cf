import { CopyBackError, shown } from './copy-back-error.js';
import { inNested } from './snapshot.js';
import { isStagingName } from './staging.js';

/**
 * The components of an archive member's name (`out/sub/file` → `out`, `sub`, `file`). A
 * `getArchive` tar names members relative to the archived path, so an absolute name, a `..`, a
 * NUL or an empty name can only come from a spoofed or broken daemon: the archive is refused.
 */
export function nameParts(name: string): string[] {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  const refused = name.startsWith('/')
    ? 'it is absolute'
    : parts.includes('..')
      ? 'it contains ".."'
      : name.includes('\0')
        ? 'it contains a NUL byte'
        : parts.length === 0
          ? 'it is empty'
          : undefined;
  if (refused) throw new CopyBackError(`copy mode refused the archive member ${shown(name)}: ${refused}; a daemon never sends such names`);
  return parts;
}

/** Parent of a path relative to the mount ('' for the mount itself and its direct children). */
export function parentOf(rel: string): string {
  const slash = rel.lastIndexOf('/');
  return slash < 0 ? '' : rel.slice(0, slash);
}

/**
 * A directory mount's member as a path relative to the mount ('' for the mount itself): names
 * start with the archived directory's own (`out/…` for /out). Undefined for what is not this
 * mount's: another mount's (nested) files, and staging directories, whoever made them.
 */
export function pathInMount(name: string, nested: readonly string[]): string | undefined {
  const inMount = nameParts(name).slice(1);
  if (inMount.some(isStagingName)) return undefined;
  const rel = inMount.join('/');
  return inNested(rel, nested) ? undefined : rel;
}
