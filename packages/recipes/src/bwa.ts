import { existsSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { InvalidInputError } from '@tooldock/core';
import { hiddenTempName, ImageReferenceSchema } from '@tooldock/core/advanced';
import { mountsFor, producing, requireExtension, requireFile, requireOutput } from './files.js';
import { imageFor } from './images.js';
import { absolutePath, commonFields, threads } from './recipe-options.js';
import { recipe } from './recipe-runner.js';
import { samtoolsSortArgs } from './samtools-args.js';

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

const memSchema = z
  .object({
    index: absolutePath,
    reads1: absolutePath,
    reads2: absolutePath.optional(),
    output: absolutePath,
    threads: threads.optional(),
    readGroup: z
      .string()
      .regex(/^@RG(\\t|\t).*ID:/, 'must look like "@RG\\\\tID:sample1\\\\tSM:sample1"')
      .optional(),
    sortThreads: threads.optional(),
    /** Image with samtools for `.bam` output; default: the samtools recipe image. */
    samtoolsImage: ImageReferenceSchema.optional(),
    ...commonFields,
  })
  .strict();

const readsOf = (o: { reads1: string; reads2?: string }) => [o.reads1, ...(o.reads2 ? [o.reads2] : [])];

/**
 * Typed, validated bwa calls.
 *
 * @example
 * ```ts
 * await bwa.index({ reference: '/ref/genome.fa' });
 * await bwa.mem({ index: '/ref/genome.fa', reads1: '/data/r1.fq', output: '/out/s1.bam' });
 * ```
 */
export const bwa = {
  /**
   * `bwa index`: builds `<prefix>.{amb,ann,bwt,pac,sa}` (prefix defaults to the reference path).
   *
   * @example
   * ```ts
   * const { prefix, files } = await bwa.index({ reference: '/ref/genome.fa' });
   * ```
   */
  index: recipe('bwa.index', 'bwa', indexSchema, {
    check(o, field) {
      requireFile(field('reference'), o.reference);
      requireExtension(field('reference'), o.reference, ['.fa', '.fasta', '.fna', '.fa.gz', '.fasta.gz']);
      requireOutput(field('prefix'), `${o.prefix ?? o.reference}.bwt`, [o.reference]);
    },
    async run(o, start): Promise<{ prefix: string; files: string[] }> {
      const prefix = o.prefix ?? o.reference;
      // bwa writes five files under one prefix: build them under a hidden prefix, then rename all.
      const temp = hiddenTempName(prefix);
      const files = BWA_INDEX_EXTENSIONS.map((ext) => `${prefix}.${ext}`);
      try {
        await start(['bwa', 'index', '-p', temp, o.reference], mountsFor([o.reference], [dirname(prefix)]));
        BWA_INDEX_EXTENSIONS.forEach((ext) => renameSync(`${temp}.${ext}`, `${prefix}.${ext}`));
      } finally {
        BWA_INDEX_EXTENSIONS.forEach((ext) => rmSync(`${temp}.${ext}`, { force: true }));
      }
      return { prefix, files };
    },
  }),

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
  mem: recipe('bwa.mem', 'bwa', memSchema, {
    check(o, field) {
      const missing = BWA_INDEX_EXTENSIONS.map((ext) => `${o.index}.${ext}`).filter((f) => !existsSync(f));
      if (missing.length) {
        throw new InvalidInputError(
          field('index'),
          o.index,
          `has no complete BWA index (missing ${missing.join(', ')}); run bwa.index({ reference: ${JSON.stringify(o.index)} }) first`,
        );
      }
      readsOf(o).forEach((r, i) => requireFile(field(`reads${i + 1}`), r));
      requireExtension(field('output'), o.output, ['.sam', '.bam']);
      requireOutput(field('output'), o.output, [...readsOf(o), o.index]);
      // A retried aligner would feed each attempt's SAM into the one sort (docs/retries.md).
      if (o.output.endsWith('.bam') && (o.run?.retry?.attempts ?? 1) > 1) {
        throw new InvalidInputError(
          field('run.retry'),
          o.run?.retry,
          'cannot retry the piped bwa mem | samtools sort of a .bam output; retry the whole bwa.mem call, or write .sam',
        );
      }
    },
    async run(o, start): Promise<{ output: string }> {
      const reads = readsOf(o);
      const args = ['bwa', 'mem', ...(o.threads ? ['-t', String(o.threads)] : []), ...(o.readGroup ? ['-R', o.readGroup] : []), o.index, ...reads];
      const read = [`${o.index}.bwt`, ...reads];
      if (o.output.endsWith('.sam')) {
        await start(args, mountsFor(read, []), { stdout: { file: o.output } });
        return { output: o.output };
      }
      return producing([o.output], async ([temp]) => {
        // bwa's stdout feeds sort's stdin; 'ignore' only stops it from also being captured.
        const aligner = start(args, mountsFor(read, []), { stdout: 'ignore' });
        const sorter = start(
          samtoolsSortArgs({ input: '-', output: temp!, format: 'bam', threads: o.sortThreads ?? o.threads }),
          mountsFor([], [dirname(o.output)]),
          { stdin: aligner.stdout },
          imageFor('samtools', o.samtoolsImage),
        );
        // If sort dies, nobody reads bwa's output any more: stop bwa rather than let it block.
        sorter.catch(() => aligner.cancel());
        // Both must end before the temp output is kept or dropped; bwa's failure wins the report.
        const [aligned, sorted] = await Promise.allSettled([aligner, sorter]);
        if (aligned.status === 'rejected') throw aligned.reason;
        if (sorted.status === 'rejected') throw sorted.reason;
        return { output: o.output };
      });
    },
  }),
};
