import { dirname } from 'node:path';
import { z } from 'zod';
import { InvalidInputError } from '@tooldock/core';
import { parseFlagstat, type Flagstat } from './flagstat.js';
import { mountsFor, producing, requireExtension, requireFile, requireOutput } from './files.js';
import { absolutePath, commonFields, threads } from './recipe-options.js';
import { recipe } from './recipe-runner.js';
import { extraThreads, samtoolsSortArgs } from './samtools-args.js';

const viewSchema = z
  .object({
    input: absolutePath,
    output: absolutePath.optional(),
    region: z.string().min(1).optional(),
    format: z.enum(['sam', 'bam', 'cram']).optional(),
    reference: absolutePath.optional(),
    threads: threads.optional(),
    ...commonFields,
  })
  .strict();

/** `format`, else by the output's extension; SAM text without an output. */
function viewFormat(o: { output?: string; format?: 'sam' | 'bam' | 'cram' }): 'sam' | 'bam' | 'cram' {
  return o.format ?? (o.output?.endsWith('.bam') ? 'bam' : o.output?.endsWith('.cram') ? 'cram' : 'sam');
}

const sortSchema = z
  .object({
    input: z.union([absolutePath, z.literal('-')]),
    output: absolutePath,
    byName: z.boolean().optional(),
    threads: threads.optional(),
    memoryPerThread: z
      .string()
      .regex(/^\d+[KMG]?$/, 'must be like "768M"')
      .optional(),
    stdin: z.custom<NodeJS.ReadableStream>((v) => typeof v === 'object' && v !== null && 'pipe' in v, 'must be a Readable').optional(),
    ...commonFields,
  })
  .strict();

const indexSchema = z.object({ input: absolutePath, csi: z.boolean().optional(), threads: threads.optional(), ...commonFields }).strict();

const flagstatSchema = z.object({ input: absolutePath, threads: threads.optional(), ...commonFields }).strict();

const faidxSchema = z.object({ input: absolutePath, ...commonFields }).strict();

/**
 * Typed, validated samtools calls.
 *
 * @example
 * ```ts
 * const { passed } = await samtools.flagstat({ input: '/data/x.bam' });
 * ```
 */
export const samtools = {
  /**
   * `samtools view`: convert or filter alignments; with `region`, only the records overlapping it
   * (the input needs an index). Without `output`, returns the SAM text (no header).
   *
   * @example
   * ```ts
   * const { sam } = await samtools.view({ input: '/data/x.bam', region: 'chr1:1000-2000' });
   * ```
   */
  view: recipe('samtools.view', 'samtools', viewSchema, {
    check(o, field) {
      requireFile(field('input'), o.input);
      if (o.output) requireOutput(field('output'), o.output, [o.input]);
      if (viewFormat(o) === 'cram' && !o.reference)
        throw new InvalidInputError(field('reference'), o.reference, 'is required for CRAM output (the reference FASTA)');
    },
    async run(o, start): Promise<{ output?: string; sam?: string }> {
      const format = viewFormat(o);
      const flags = [
        ...extraThreads(o.threads),
        ...(format === 'bam' ? ['-b'] : format === 'cram' ? ['-C'] : []),
        ...(o.reference ? ['-T', o.reference] : []),
      ];
      const read = [o.input, ...(o.reference ? [o.reference] : [])];
      const region = o.region ? [o.region] : [];
      if (!o.output) {
        const result = await start(['samtools', 'view', ...flags, o.input, ...region], mountsFor(read, []));
        return { sam: String(result.stdout) };
      }
      const output = o.output;
      return producing([output], async ([temp]) => {
        await start(['samtools', 'view', ...flags, '-o', temp!, o.input, ...region], mountsFor(read, [dirname(output)]));
        return { output };
      });
    },
  }),

  /**
   * `samtools sort` into a BAM/CRAM/SAM by output extension; `input: '-'` with `stdin` sorts a
   * stream (e.g. another container's SAM output). Temp files go beside the output (`-T`).
   *
   * @example
   * ```ts
   * await samtools.sort({ input: '/data/x.sam', output: '/data/x.bam', threads: 4 });
   * ```
   */
  sort: recipe('samtools.sort', 'samtools', sortSchema, {
    check(o, field) {
      if (o.input === '-' && !o.stdin) throw new InvalidInputError(field('stdin'), o.stdin, 'is required with input "-" (the stream to sort)');
      if (o.input !== '-') requireFile(field('input'), o.input);
      requireExtension(field('output'), o.output, ['.bam', '.cram', '.sam']);
      requireOutput(field('output'), o.output, o.input === '-' ? [] : [o.input]);
    },
    run(o, start): Promise<{ output: string }> {
      const format = o.output.endsWith('.cram') ? 'cram' : o.output.endsWith('.sam') ? 'sam' : 'bam';
      return producing([o.output], async ([temp]) => {
        await start(
          samtoolsSortArgs({ input: o.input, output: temp!, format, threads: o.threads, byName: o.byName, memoryPerThread: o.memoryPerThread }),
          mountsFor(o.input === '-' ? [] : [o.input], [dirname(o.output)]),
          o.stdin ? { stdin: o.stdin as never } : {},
        );
        return { output: o.output };
      });
    },
  }),

  /**
   * `samtools index`: writes `<input>.bai` (or `.csi`) beside a coordinate-sorted BAM.
   *
   * @example
   * ```ts
   * const { index } = await samtools.index({ input: '/data/x.bam' }); // '/data/x.bam.bai'
   * ```
   */
  index: recipe('samtools.index', 'samtools', indexSchema, {
    check(o, field) {
      requireFile(field('input'), o.input);
      requireExtension(field('input'), o.input, ['.bam', '.cram']);
    },
    run(o, start): Promise<{ index: string }> {
      const target = `${o.input}.${o.csi ? 'csi' : o.input.endsWith('.cram') ? 'crai' : 'bai'}`;
      return producing([target], async ([temp]) => {
        await start(
          ['samtools', 'index', ...extraThreads(o.threads), ...(o.csi ? ['-c'] : ['-b']), o.input, temp!],
          mountsFor([], [dirname(o.input)]),
        );
        return { index: target };
      });
    },
  }),

  /**
   * `samtools flagstat`, parsed: `passed` and `failed` (QC) counts per category.
   *
   * @example
   * ```ts
   * const { passed } = await samtools.flagstat({ input: '/data/x.bam' });
   * console.log(passed.mapped / passed.primary);
   * ```
   */
  flagstat: recipe('samtools.flagstat', 'samtools', flagstatSchema, {
    check(o, field) {
      requireFile(field('input'), o.input);
    },
    async run(o, start): Promise<Flagstat & { text: string }> {
      const result = await start(['samtools', 'flagstat', ...extraThreads(o.threads), o.input], mountsFor([o.input], []));
      const text = String(result.stdout);
      return { ...parseFlagstat(text), text };
    },
  }),

  /**
   * `samtools faidx`: writes `<input>.fai` beside a FASTA.
   *
   * @example
   * ```ts
   * const { index } = await samtools.faidx({ input: '/ref/genome.fa' });
   * ```
   */
  faidx: recipe('samtools.faidx', 'samtools', faidxSchema, {
    check(o, field) {
      requireFile(field('input'), o.input);
      requireExtension(field('input'), o.input, ['.fa', '.fasta', '.fna', '.fa.gz', '.fasta.gz']);
    },
    run(o, start): Promise<{ index: string }> {
      return producing([`${o.input}.fai`], async ([temp]) => {
        await start(['samtools', 'faidx', o.input, '--fai-idx', temp!], mountsFor([], [dirname(o.input)]));
        return { index: `${o.input}.fai` };
      });
    },
  }),
};
