import { dirname } from 'node:path';
import { z } from 'zod';
import { parseOrThrow, runTool, type RunResult } from '@tooldock/core';
import { parseFlagstat, type Flagstat } from './flagstat.js';
import { mountsFor, producing, requireExtension, requireFile, requireOutput } from './files.js';
import { imageFor } from './images.js';
import { absolutePath, commonFields, threads, type RecipeCommon } from './recipe-options.js';

// samtools' -@ counts *extra* threads: `threads: 4` means -@ 3.
const extraThreads = (n: number | undefined) => (n && n > 1 ? ['-@', String(n - 1)] : []);
const run = (o: { image?: string; run?: object }, args: string[], mounts: ReturnType<typeof mountsFor>, more: object = {}): Promise<RunResult> =>
  runTool(imageFor('samtools', o.image), ['samtools', ...args], mounts, { ...o.run, ...more });

const viewSchema = z.object({
  input: absolutePath, output: absolutePath.optional(), region: z.string().min(1).optional(),
  format: z.enum(['sam', 'bam', 'cram']).optional(), reference: absolutePath.optional(),
  threads: threads.optional(), ...commonFields,
}).strict();

/**
 * `samtools view`: convert or filter alignments; with `region`, only the records overlapping it
 * (the input needs an index). Without `output`, returns the SAM text (no header).
 *
 * @example
 * ```ts
 * const { sam } = await samtools.view({ input: '/data/x.bam', region: 'chr1:1000-2000' });
 * ```
 */
async function view(options: z.input<typeof viewSchema> & RecipeCommon): Promise<{ output?: string; sam?: string }> {
  const o = parseOrThrow(viewSchema, options, 'samtools.view');
  requireFile('samtools.view.input', o.input);
  if (o.output) requireOutput('samtools.view.output', o.output, [o.input]);
  const format = o.format ?? (o.output?.endsWith('.bam') ? 'bam' : o.output?.endsWith('.cram') ? 'cram' : 'sam');
  if (format === 'cram' && !o.reference) throw new TypeError('samtools.view.reference: CRAM output needs the reference FASTA');
  const flags = [...extraThreads(o.threads), ...(format === 'bam' ? ['-b'] : format === 'cram' ? ['-C'] : []), ...(o.reference ? ['-T', o.reference] : [])];
  const read = [o.input, ...(o.reference ? [o.reference] : [])];
  if (!o.output) {
    const result = await run(o, ['view', ...flags, o.input, ...(o.region ? [o.region] : [])], mountsFor(read, []));
    return { sam: String(result.stdout) };
  }
  return producing([o.output], async ([temp]) => {
    await run(o, ['view', ...flags, '-o', temp!, o.input, ...(o.region ? [o.region] : [])], mountsFor(read, [dirname(o.output!)]));
    return { output: o.output };
  });
}

const sortSchema = z.object({
  input: z.union([absolutePath, z.literal('-')]), output: absolutePath,
  byName: z.boolean().optional(), threads: threads.optional(),
  memoryPerThread: z.string().regex(/^\d+[KMG]?$/, 'must be like "768M"').optional(),
  stdin: z.custom<NodeJS.ReadableStream>((v) => typeof v === 'object' && v !== null && 'pipe' in v, 'must be a Readable').optional(),
  ...commonFields,
}).strict();

/**
 * `samtools sort` into a BAM/CRAM/SAM by output extension; `input: '-'` with `stdin` sorts a
 * stream (e.g. another container's SAM output). Temp files go beside the output (`-T`).
 *
 * @example
 * ```ts
 * await samtools.sort({ input: '/data/x.sam', output: '/data/x.bam', threads: 4 });
 * ```
 */
async function sort(options: z.input<typeof sortSchema> & RecipeCommon): Promise<{ output: string }> {
  const o = parseOrThrow(sortSchema, options, 'samtools.sort');
  if (o.input === '-' && !o.stdin) throw new TypeError('samtools.sort.stdin: input "-" needs a stdin stream');
  if (o.input !== '-') requireFile('samtools.sort.input', o.input);
  requireExtension('samtools.sort.output', o.output, ['.bam', '.cram', '.sam']);
  requireOutput('samtools.sort.output', o.output, o.input === '-' ? [] : [o.input]);
  const format = o.output.endsWith('.cram') ? 'cram' : o.output.endsWith('.sam') ? 'sam' : 'bam';
  return producing([o.output], async ([temp]) => {
    await run(o, ['sort', ...extraThreads(o.threads), ...(o.byName ? ['-n'] : []), ...(o.memoryPerThread ? ['-m', o.memoryPerThread] : []),
      '-O', format, '-T', `${temp}.tmp`, '-o', temp!, o.input],
      mountsFor(o.input === '-' ? [] : [o.input], [dirname(o.output)]), o.stdin ? { stdin: o.stdin as never } : {});
    return { output: o.output };
  });
}

const indexSchema = z.object({ input: absolutePath, csi: z.boolean().optional(), threads: threads.optional(), ...commonFields }).strict();

/**
 * `samtools index`: writes `<input>.bai` (or `.csi`) beside a coordinate-sorted BAM.
 *
 * @example
 * ```ts
 * const { index } = await samtools.index({ input: '/data/x.bam' }); // '/data/x.bam.bai'
 * ```
 */
async function index(options: z.input<typeof indexSchema> & RecipeCommon): Promise<{ index: string }> {
  const o = parseOrThrow(indexSchema, options, 'samtools.index');
  requireFile('samtools.index.input', o.input);
  requireExtension('samtools.index.input', o.input, ['.bam', '.cram']);
  const target = `${o.input}.${o.csi ? 'csi' : o.input.endsWith('.cram') ? 'crai' : 'bai'}`;
  return producing([target], async ([temp]) => {
    await run(o, ['index', ...extraThreads(o.threads), ...(o.csi ? ['-c'] : ['-b']), o.input, temp!], mountsFor([], [dirname(o.input)]));
    return { index: target };
  });
}

const flagstatSchema = z.object({ input: absolutePath, threads: threads.optional(), ...commonFields }).strict();

/**
 * `samtools flagstat`, parsed: `passed` and `failed` (QC) counts per category.
 *
 * @example
 * ```ts
 * const { passed } = await samtools.flagstat({ input: '/data/x.bam' });
 * console.log(passed.mapped / passed.primary);
 * ```
 */
async function flagstat(options: z.input<typeof flagstatSchema> & RecipeCommon): Promise<Flagstat & { text: string }> {
  const o = parseOrThrow(flagstatSchema, options, 'samtools.flagstat');
  requireFile('samtools.flagstat.input', o.input);
  const result = await run(o, ['flagstat', ...extraThreads(o.threads), o.input], mountsFor([o.input], []));
  const text = String(result.stdout);
  return { ...parseFlagstat(text), text };
}

const faidxSchema = z.object({ input: absolutePath, ...commonFields }).strict();

/**
 * `samtools faidx`: writes `<input>.fai` beside a FASTA.
 *
 * @example
 * ```ts
 * const { index } = await samtools.faidx({ input: '/ref/genome.fa' });
 * ```
 */
async function faidx(options: z.input<typeof faidxSchema> & RecipeCommon): Promise<{ index: string }> {
  const o = parseOrThrow(faidxSchema, options, 'samtools.faidx');
  requireFile('samtools.faidx.input', o.input);
  requireExtension('samtools.faidx.input', o.input, ['.fa', '.fasta', '.fna', '.fa.gz', '.fasta.gz']);
  return producing([`${o.input}.fai`], async ([temp]) => {
    await run(o, ['faidx', o.input, '--fai-idx', temp!], mountsFor([], [dirname(o.input)]));
    return { index: `${o.input}.fai` };
  });
}

/**
 * Typed, validated samtools calls.
 *
 * @example
 * ```ts
 * const { passed } = await samtools.flagstat({ input: '/data/x.bam' });
 * ```
 */
export const samtools = { view, sort, index, flagstat, faidx };
