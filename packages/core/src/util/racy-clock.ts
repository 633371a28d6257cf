/**
 * Git's "racily clean" rule. Shared filesystems (NFS and the like, where clusters keep their data)
 * keep mtimes in whole seconds or coarser: a file written in the same clock tick as the moment
 * its size + mtime were recorded may change again within that tick, same size, and show the very
 * same stat. Such a file is never trusted by its stat alone: it is checked by content.
 */
export const CLOCK_TICK_MS = 1000;

/** Whether a file with this mtime was recorded at `recordedAtMs` too early to trust its stat. */
export function racilyClean(mtimeMs: number, recordedAtMs: number): boolean {
  return Math.floor(mtimeMs / CLOCK_TICK_MS) >= Math.floor(recordedAtMs / CLOCK_TICK_MS);
}
