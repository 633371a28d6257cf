import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { InvalidInputError } from '@tooldock/core';
import { mountsFor, requireFile } from './files.js';
import { absolutePath, commonFields, threads } from './recipe-options.js';
import { recipe } from './recipe-runner.js';

const countSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, - or _ (it names the output folder)'),
    fastqs: absolutePath,
    sample: z.string().min(1).optional(),
    transcriptome: absolutePath,
    chemistry: z.string().min(1).optional(),
    /** Required by cellranger ≥ 8. */
    createBam: z.boolean(),
    localcores: threads.optional(),
    localmem: z.number().int().min(1, 'must be at least 1 (GB)').optional(),
    /** Where `<id>/` is created (the working directory of the run). */
    outputDir: absolutePath,
    ...commonFields,
  })
  .strict();

/** Output files of `cellranger count` under `<outputDir>/<id>/outs/`. */
export interface CellrangerCountOutputs {
  outs: string;
  filteredMatrixH5: string;
  rawMatrixH5: string;
  filteredMatrixDir: string;
  webSummary: string;
  metricsSummary: string;
  moleculeInfo: string;
}

/**
 * The documented command line of `cellranger count` for these options.
 *
 * @example
 * ```ts
 * cellrangerCountArgs({ id: 'r1', fastqs: '/f', transcriptome: '/t', createBam: false, outputDir: '/w' });
 * // ['cellranger', 'count', '--id=r1', '--fastqs=/f', '--transcriptome=/t', '--create-bam=false']
 * ```
 */
export function cellrangerCountArgs(o: z.output<typeof countSchema>): string[] {
  return [
    'cellranger',
    'count',
    `--id=${o.id}`,
    `--fastqs=${o.fastqs}`,
    ...(o.sample ? [`--sample=${o.sample}`] : []),
    `--transcriptome=${o.transcriptome}`,
    ...(o.chemistry ? [`--chemistry=${o.chemistry}`] : []),
    `--create-bam=${o.createBam}`,
    ...(o.localcores ? [`--localcores=${o.localcores}`] : []),
    ...(o.localmem ? [`--localmem=${o.localmem}`] : []),
  ];
}

const mkrefSchema = z
  .object({
    genome: z.string().regex(/^[A-Za-z0-9._-]+$/, 'must be a folder name'),
    fasta: absolutePath,
    genes: absolutePath,
    nthreads: threads.optional(),
    outputDir: absolutePath,
    ...commonFields,
  })
  .strict();

/**
 * The documented command line of `cellranger mkref`.
 *
 * @example
 * ```ts
 * cellrangerMkrefArgs({ genome: 'g', fasta: '/g.fa', genes: '/g.gtf', outputDir: '/r' });
 * // ['cellranger', 'mkref', '--genome=g', '--fasta=/g.fa', '--genes=/g.gtf']
 * ```
 */
export function cellrangerMkrefArgs(o: z.output<typeof mkrefSchema>): string[] {
  return [
    'cellranger',
    'mkref',
    `--genome=${o.genome}`,
    `--fasta=${o.fasta}`,
    `--genes=${o.genes}`,
    ...(o.nthreads ? [`--nthreads=${o.nthreads}`] : []),
  ];
}

function checked<T extends Record<string, string>>(paths: T): T {
  const missing = Object.values(paths).filter((p) => !existsSync(p));
  if (missing.length) throw new Error(`cellranger finished but did not produce ${missing.join(', ')}`);
  return paths;
}

/**
 * Typed, validated cellranger calls (cellranger itself needs a licensed image).
 *
 * @example
 * ```ts
 * await cellranger.mkref({ genome: 'GRCh38', fasta: '/ref/g.fa', genes: '/ref/g.gtf', outputDir: '/ref' });
 * ```
 */
export const cellranger = {
  /**
   * `cellranger count`: runs in `outputDir` and returns the paths under `<id>/outs/`, each checked to exist.
   *
   * @example
   * ```ts
   * const outs = await cellranger.count({ id: 'pbmc', fastqs: '/data/fastqs', sample: 'pbmc', transcriptome: '/ref/GRCh38', createBam: false, outputDir: '/work' });
   * console.log(outs.filteredMatrixH5);
   * ```
   */
  count: recipe('cellranger.count', 'cellranger', countSchema, {
    check(o, field) {
      requireFile(field('fastqs'), o.fastqs, 'directory');
      requireFile(field('transcriptome'), o.transcriptome, 'directory');
      requireFile(field('outputDir'), o.outputDir, 'directory');
      if (existsSync(join(o.outputDir, o.id))) {
        throw new InvalidInputError(field('id'), o.id, `${join(o.outputDir, o.id)} already exists; cellranger would refuse to overwrite it`);
      }
    },
    async run(o, start): Promise<CellrangerCountOutputs> {
      await start(cellrangerCountArgs(o), mountsFor([join(o.fastqs, 'x'), join(o.transcriptome, 'x')], [o.outputDir]), { cwd: o.outputDir });
      const outs = join(o.outputDir, o.id, 'outs');
      return checked({
        outs,
        filteredMatrixH5: join(outs, 'filtered_feature_bc_matrix.h5'),
        rawMatrixH5: join(outs, 'raw_feature_bc_matrix.h5'),
        filteredMatrixDir: join(outs, 'filtered_feature_bc_matrix'),
        webSummary: join(outs, 'web_summary.html'),
        metricsSummary: join(outs, 'metrics_summary.csv'),
        moleculeInfo: join(outs, 'molecule_info.h5'),
      });
    },
  }),

  /**
   * `cellranger mkref`: builds `<outputDir>/<genome>/` from a FASTA and a GTF.
   *
   * @example
   * ```ts
   * const { reference } = await cellranger.mkref({ genome: 'GRCh38', fasta: '/ref/genome.fa', genes: '/ref/genes.gtf', outputDir: '/ref' });
   * ```
   */
  mkref: recipe('cellranger.mkref', 'cellranger', mkrefSchema, {
    check(o, field) {
      requireFile(field('fasta'), o.fasta);
      requireFile(field('genes'), o.genes);
      requireFile(field('outputDir'), o.outputDir, 'directory');
    },
    async run(o, start): Promise<{ reference: string }> {
      await start(cellrangerMkrefArgs(o), mountsFor([o.fasta, o.genes], [o.outputDir]), { cwd: o.outputDir });
      return checked({ reference: join(o.outputDir, o.genome) });
    },
  }),
};
export { countSchema as cellrangerCountSchema, mkrefSchema as cellrangerMkrefSchema };
