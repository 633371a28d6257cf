import { basename, dirname, join } from 'node:path';

/** `.<name>.partial-[<owner>-]<8 hex>` (hidden-temp-name.ts), anywhere in a file name. */
const HIDDEN_TEMP = /^\.(.+)\.partial-(?:[A-Za-z0-9._~-]*?-)?[0-9a-f]{8}(?![0-9a-f])/;

/**
 * The name a file ends up with: a hidden temp name (`.s1.bam.partial-3f9c0a1e`, and what a tool
 * appends to it: `….bwt`) is what a recipe renamed into place afterwards (`s1.bam`, `s1.bam.bwt`).
 * A workflow has no such rename: its tools write the final names directly.
 */
export function finalName(name: string): string {
  return name.replace(HIDDEN_TEMP, '$1');
}

/** {@link finalName} of a path's last segment. */
export function finalPath(path: string): string {
  return join(dirname(path), finalName(basename(path)));
}
