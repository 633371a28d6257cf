import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/**
 * The start of every hidden temp name for `path`: `.<name>.partial-`. One convention for every
 * writer (file sinks, recipes), so a person, a test or a sweep recognises a partial output by it.
 *
 * @example
 * ```ts
 * partialPrefix('/work/s1.bam'); // '.s1.bam.partial-'
 * ```
 */
export function partialPrefix(path: string): string {
  return `.${basename(path)}.partial-`;
}

/**
 * A hidden temp path beside `path` (same directory, so the final rename is atomic):
 * `<dir>/.<name>.partial-[<owner>-]<8 hex>`. `owner` (e.g. `<host>-<pid>`) lets a later sweep
 * tell a dead writer's leftover from a live one; without it the name says nothing about its writer.
 * Write there, then rename onto `path` only when the output is complete.
 *
 * @example
 * ```ts
 * const temp = hiddenTempName('/work/s1.bam'); // '/work/.s1.bam.partial-3f9c0a1e'
 * await runTool(image, ['samtools', 'sort', '-o', temp, '/work/s1.sam'], ['/work:rw']);
 * renameSync(temp, '/work/s1.bam');
 * ```
 */
export function hiddenTempName(path: string, owner?: string): string {
  const unique = randomBytes(4).toString('hex');
  return join(dirname(path), `${partialPrefix(path)}${owner ? `${owner}-` : ''}${unique}`);
}
