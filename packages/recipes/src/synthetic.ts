import { z } from 'zod';
import { parseOrThrow } from '@tooldock/core/advanced';

/**
 * A small deterministic PRNG (mulberry32): the same seed gives the same data everywhere.
 *
 * @example
 * ```ts
 * const random = prng(42);
 * random(); // the same number in [0, 1) on every machine
 * ```
 */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Where a simulated pair came from. */
export interface ReadOrigin {
  name: string;
  contig: string;
  /** 1-based leftmost position of read 1 and read 2 on the reference. */
  pos1: number;
  pos2: number;
  /** Strand of read 1 (read 2 is on the other). */
  strand: '+' | '-';
}

/** A simulated data set: FASTA, paired FASTQ text, and the truth. */
export interface SyntheticDataset {
  fasta: string;
  reads1: string;
  reads2: string;
  origins: ReadOrigin[];
  contigs: Record<string, string>;
}

const complement: Record<string, string> = { A: 'T', C: 'G', G: 'C', T: 'A' };
const revcomp = (s: string) =>
  [...s]
    .reverse()
    .map((c) => complement[c])
    .join('');

const DEFAULTS = { contigs: { chr1: 4000, chr2: 2500 }, pairs: 200, readLength: 100, insertSize: 300, errorRate: 0.01 };

const whole = (min: number, max: number) =>
  z.number().int('must be a whole number').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

// Test data, so small by design: the caps keep a typo (an extra zero or three) from exhausting memory.
const SyntheticOptionsSchema = z
  .object({
    seed: z.number().int('must be a whole number (the same seed gives the same data)'),
    contigs: z
      .record(
        z.string().regex(/^[^\s>]+$/, 'a contig name must be non-empty, without whitespace or ">" (it becomes a FASTA header)'),
        whole(1, 10_000_000),
      )
      .refine((contigs) => Object.keys(contigs).length > 0, 'must name at least one contig')
      .optional(),
    pairs: whole(0, 1_000_000).optional(),
    readLength: whole(1, 10_000).optional(),
    insertSize: whole(1, 100_000).optional(),
    errorRate: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    // A read is a prefix/suffix of its fragment, and a fragment must fit in its contig.
    const readLength = o.readLength ?? DEFAULTS.readLength;
    const insert = o.insertSize ?? DEFAULTS.insertSize;
    if (insert < readLength) {
      ctx.addIssue({
        code: 'custom',
        path: [o.insertSize === undefined ? 'readLength' : 'insertSize'],
        message: `the insert size (${insert}) must be at least the read length (${readLength})`,
      });
    }
    if ((o.pairs ?? DEFAULTS.pairs) === 0) return;
    for (const [name, length] of Object.entries(o.contigs ?? DEFAULTS.contigs)) {
      if (length < insert)
        ctx.addIssue({ code: 'custom', path: ['contigs', name], message: `must be at least the insert size (${insert}) to hold a read pair` });
    }
  });

/**
 * A few-kb random reference and paired-end reads with known origins (encoded in each read's
 * name, e.g. `p17_chr1_1203_1404_+`), with a small substitution error rate. Invalid options
 * throw an `InvalidInputError` naming the field (`syntheticDataset.insertSize`).
 *
 * @example
 * ```ts
 * const data = syntheticDataset({ seed: 7, contigs: { chr1: 4000, chr2: 2000 }, pairs: 500 });
 * writeFileSync('/data/ref.fa', data.fasta);
 * ```
 */
export function syntheticDataset(options: {
  seed: number;
  contigs?: Record<string, number>;
  pairs?: number;
  readLength?: number;
  insertSize?: number;
  errorRate?: number;
}): SyntheticDataset {
  const o = parseOrThrow(SyntheticOptionsSchema, options, 'syntheticDataset');
  const random = prng(o.seed);
  const readLength = o.readLength ?? DEFAULTS.readLength;
  const insert = o.insertSize ?? DEFAULTS.insertSize;
  const errorRate = o.errorRate ?? DEFAULTS.errorRate;
  const base = () => 'ACGT'[Math.floor(random() * 4)]!;
  const contigs = Object.fromEntries(
    Object.entries(o.contigs ?? DEFAULTS.contigs).map(([name, length]) => [name, Array.from({ length }, base).join('')]),
  );
  const names = Object.keys(contigs);
  const mutate = (seq: string) => [...seq].map((c) => (random() < errorRate ? 'ACGT'.replace(c, '')[Math.floor(random() * 3)]! : c)).join('');
  const fq1: string[] = [];
  const fq2: string[] = [];
  const origins: ReadOrigin[] = [];
  for (let i = 0; i < (o.pairs ?? DEFAULTS.pairs); i++) {
    const contig = names[Math.floor(random() * names.length)]!;
    const seq = contigs[contig]!;
    const start = Math.floor(random() * (seq.length - insert));
    const fragment = seq.slice(start, start + insert);
    const strand = random() < 0.5 ? '+' : '-';
    const left = fragment.slice(0, readLength);
    const right = revcomp(fragment.slice(insert - readLength));
    const [r1, r2] = strand === '+' ? [left, right] : [right, left];
    const pos1 = strand === '+' ? start + 1 : start + insert - readLength + 1;
    const pos2 = strand === '+' ? start + insert - readLength + 1 : start + 1;
    const name = `p${i}_${contig}_${pos1}_${pos2}_${strand}`;
    origins.push({ name, contig, pos1, pos2, strand });
    const quality = 'I'.repeat(readLength);
    fq1.push(`@${name}/1\n${mutate(r1)}\n+\n${quality}\n`);
    fq2.push(`@${name}/2\n${mutate(r2)}\n+\n${quality}\n`);
  }
  const fasta = Object.entries(contigs)
    .map(([name, seq]) => `>${name}\n${seq.replace(/(.{70})/g, '$1\n').replace(/\n$/, '')}\n`)
    .join('');
  return { fasta, reads1: fq1.join(''), reads2: fq2.join(''), origins, contigs };
}
