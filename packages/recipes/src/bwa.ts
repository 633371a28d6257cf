import { existsSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { InvalidInputError, parseOrThrow, runTool } from '@tooldock/core';
import { mountsFor, partialName, producing, requireExtension, requireFile, requireOutput } from './files.js';
import { imageFor } from './images.js';
import { absolutePath, commonFields, threads, type RecipeCommon } from './recipe-options.js';

/**
 * The files `bwa index` writes for a prefix.
 *
 * @example
 * ```ts
 * const files = BWA_INDEX_EXTENSIONS.map((ext) => `/ref/genome.fa.${ext}`);
 * ```
 */
export const BWA_INDEX_EXTENSIONS = ['amb', 'ann', 'bwt', 'pac', 'sa'] as const;

const indexSchema = z.object({ reference: absolutePath, prefix: absolutePath.optional(), ...commonFields }).strict();

/**
 * `bwa index`: builds `<prefix>.{amb,ann,bwt,pac,sa}` (prefix defaults to the reference path).
 *
 * @example
 * ```ts
 * const { prefix, files } = await bwa.index({ reference: '/ref/genome.fa' });
 * ```
 */
async function index(options: z.input<typeof indexSchema> & RecipeCommon): Promise<{ prefix: string; files: string[] }> {
  const o = parseOrThrow(indexSchema, options, 'bwa.index');
  requireFile('bwa.index.reference', o.reference);
  requireExtension('bwa.index.reference', o.reference, ['.fa', '.fasta', '.fna', '.fa.gz', '.fasta.gz']);
  const prefix = o.prefix ?? o.reference;
  requireOutput('bwa.index.prefix', `${prefix}.bwt`, [o.reference]);
  // bwa writes five files under one prefix: build them under a hidden prefix, then rename all.
  const temp = partialName(prefix);
  const files = BWA_INDEX_EXTENSIONS.map((ext) => `${prefix}.${ext}`);
  try {
    await runTool(imageFor('bwa', o.image), ['bwa', 'index', '-p', temp, o.reference], mountsFor([o.reference], [dirname(prefix)]), o.run);
    BWA_INDEX_EXTENSIONS.forEach((ext) => renameSync(`${temp}.${ext}`, `${prefix}.${ext}`));
  } finally {
    BWA_INDEX_EXTENSIONS.forEach((ext) => rmSync(`${temp}.${ext}`, { force: true }));
  }
  return { prefix, files };
}

const memSchema = z.object({
  index: absolutePath, reads1: absolutePath, reads2: absolutePath.optional(), output: absolutePath,
  threads: threads.optional(),
  readGroup: z.string().regex(/^@RG(\\t|\t).*ID:/, 'must look like "@RG\\\\tID:sample1\\\\tSM:sample1"').optional(),
  sortThreads: threads.optional(),
  /** Image with samtools for `.bam` output; default: the samtools recipe image. */
  samtoolsImage: z.string().min(1).optional(),
  ...commonFields,
}).strict();

/**
 * `bwa mem` of single or paired reads. `.sam` output is written directly (atomically); `.bam`
 * output streams SAM from the bwa container straight into a `samtools sort -` container — no
 * temporary SAM — and appears only when both succeeded.
 *
 * @example
 * ```ts
 * await bwa.mem({ index: '/ref/genome.fa', reads1: '/data/s1_R1.fq', reads2: '/data/s1_R2.fq', output: '/out/s1.bam', threads: 4 });
 * ```
 */
async function mem(options: z.input<typeof memSchema> & RecipeCommon): Promise<{ output: string }> {
  const o = parseOrThrow(memSchema, options, 'bwa.mem');
  const missing = BWA_INDEX_EXTENSIONS.map((ext) => `${o.index}.${ext}`).filter((f) => !existsSync(f));
  if (missing.length) {
    throw new InvalidInputError('bwa.mem.index', o.index, `has no complete BWA index (missing ${missing.join(', ')}); run bwa.index({ reference: ${JSON.stringify(o.index)} }) first`);
  }
  const reads = [o.reads1, ...(o.reads2 ? [o.reads2] : [])];
  reads.forEach((r, i) => requireFile(`bwa.mem.reads${i + 1}`, r));
  requireExtension('bwa.mem.output', o.output, ['.sam', '.bam']);
  requireOutput('bwa.mem.output', o.output, [...reads, o.index]);
  const args = ['bwa', 'mem', ...(o.threads ? ['-t', String(o.threads)] : []), ...(o.readGroup ? ['-R', o.readGroup] : []), o.index, ...reads];
  const read = [`${o.index}.bwt`, ...reads];
  const image = imageFor('bwa', o.image);
  if (o.output.endsWith('.sam')) {
    await runTool(image, args, mountsFor(read, []), { ...o.run, stdout: { file: o.output } });
    return { output: o.output };
  }
  return producing([o.output], async ([temp]) => {
    // bwa's stdout feeds sort's stdin; 'ignore' only stops it from also being captured.
    const aligner = runTool(image, args, mountsFor(read, []), { ...o.run, stdout: 'ignore' });
    const sortThreads = o.sortThreads ?? o.threads;
    const sorter = runTool(imageFor('samtools', o.samtoolsImage), [
      'samtools', 'sort', ...(sortThreads && sortThreads > 1 ? ['-@', String(sortThreads - 1)] : []),
      '-O', 'bam', '-T', `${temp}.tmp`, '-o', temp!, '-',
    ], mountsFor([], [dirname(o.output)]), { ...o.run, stdin: aligner.stdout });
    // If sort dies, nobody reads bwa's output any more: stop bwa rather than let it block.
    sorter.catch(() => aligner.cancel());
    // Both must end before the temp output is kept or dropped; bwa's failure wins the report.
    const [aligned, sorted] = await Promise.allSettled([aligner, sorter]);
    if (aligned.status === 'rejected') throw aligned.reason;
    if (sorted.status === 'rejected') throw sorted.reason;
    return { output: o.output };
  });
}

/**
 * Typed, validated bwa calls.
 *
 * @example
 * ```ts
 * await bwa.index({ reference: '/ref/genome.fa' });
 * await bwa.mem({ index: '/ref/genome.fa', reads1: '/data/r1.fq', output: '/out/s1.bam' });
 * ```
 */
export const bwa = { index, mem };
