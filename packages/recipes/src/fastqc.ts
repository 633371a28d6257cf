import { mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { hiddenTempName } from '@tooldock/core/advanced';
import { mountsFor, requireFile, requireOutput } from './files.js';
import { absolutePath, commonFields, threads } from './recipe-options.js';
import { recipe } from './recipe-runner.js';

/** PASS / WARN / FAIL per FastQC module, from its `summary.txt`. */
export type FastqcSummary = Record<string, 'PASS' | 'WARN' | 'FAIL'>;

/** One input's FastQC report. */
export interface FastqcReport {
  input: string;
  html: string;
  zip: string;
  summary: FastqcSummary;
}

const schema = z
  .object({
    inputs: z.array(absolutePath).min(1, 'must name at least one FASTQ/BAM file'),
    outdir: absolutePath,
    threads: threads.optional(),
    /** MB per thread (FastQC ≥ 0.12). */
    memory: z.number().int().min(100, 'must be ≥ 100 (MB per thread)').max(10000, 'must be ≤ 10000 (MB per thread)').optional(),
    ...commonFields,
  })
  .strict();

/**
 * `<base>` as FastQC names its reports: the file name without .gz and the last extension.
 *
 * @example
 * ```ts
 * fastqcBase('/data/s1_R1.fastq.gz'); // 's1_R1'
 * ```
 */
export function fastqcBase(input: string): string {
  return basename(input)
    .replace(/\.gz$|\.bz2$/, '')
    .replace(/\.(fastq|fq|bam|sam|txt)$/, '');
}

/**
 * Parses FastQC's `summary.txt` (status, module, file — tab separated).
 *
 * @example
 * ```ts
 * parseFastqcSummary('PASS\tBasic Statistics\tx.fq\n'); // { 'Basic Statistics': 'PASS' }
 * ```
 */
export function parseFastqcSummary(text: string): FastqcSummary {
  const summary: FastqcSummary = {};
  for (const line of text.split('\n').filter(Boolean)) {
    const [status, module] = line.split('\t');
    if (status === 'PASS' || status === 'WARN' || status === 'FAIL') summary[module!] = status;
  }
  return summary;
}

/**
 * FastQC over one or more files: `<base>_fastqc.html` and `.zip` per input in `outdir`, with the
 * module statuses parsed. Reports appear in `outdir` only when FastQC succeeded.
 *
 * @example
 * ```ts
 * const [report] = await fastqc({ inputs: ['/data/s1_R1.fq.gz'], outdir: '/data/qc', threads: 2 });
 * console.log(report.summary['Per base sequence quality']); // 'PASS'
 * ```
 */
export const fastqc = recipe('fastqc', 'fastqc', schema, {
  check(o, field) {
    o.inputs.forEach((input, i) => requireFile(field(`inputs[${i}]`), input));
    requireOutput(field('outdir'), join(o.outdir, 'report'), o.inputs);
  },
  async run(o, start): Promise<FastqcReport[]> {
    // FastQC writes into a hidden work dir inside outdir; finished reports are moved out.
    const work = hiddenTempName(join(o.outdir, 'fastqc'));
    mkdirSync(work);
    try {
      await start(
        [
          'fastqc',
          '--extract',
          '--quiet',
          ...(o.threads ? ['--threads', String(o.threads)] : []),
          ...(o.memory ? ['--memory', String(o.memory)] : []),
          '-o',
          work,
          ...o.inputs,
        ],
        mountsFor(o.inputs, [o.outdir]),
      );
      return o.inputs.map((input) => {
        const base = fastqcBase(input);
        const summary = parseFastqcSummary(readFileSync(join(work, `${base}_fastqc`, 'summary.txt'), 'utf8'));
        for (const ext of ['html', 'zip']) renameSync(join(work, `${base}_fastqc.${ext}`), join(o.outdir, `${base}_fastqc.${ext}`));
        return { input, html: join(o.outdir, `${base}_fastqc.html`), zip: join(o.outdir, `${base}_fastqc.zip`), summary };
      });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
});
