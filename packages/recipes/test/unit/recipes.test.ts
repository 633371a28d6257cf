import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '@tooldock/core';
import {
  bwa,
  cellranger,
  cellrangerCountArgs,
  cellrangerMkrefArgs,
  configureRecipes,
  DEFAULT_IMAGES,
  fastqc,
  imageFor,
  parseFlagstat,
  parseFastqcSummary,
  samtools,
  syntheticDataset,
} from '@tooldock/recipes';

const FLAGSTAT = `600 + 0 in total (QC-passed reads + QC-failed reads)
600 + 0 primary
0 + 0 secondary
0 + 0 supplementary
0 + 0 duplicates
0 + 0 primary duplicates
597 + 0 mapped (99.50% : N/A)
597 + 0 primary mapped (99.50% : N/A)
600 + 0 paired in sequencing
300 + 0 read1
300 + 0 read2
590 + 0 properly paired (98.33% : N/A)
594 + 0 with itself and mate mapped
3 + 0 singletons (0.50% : N/A)
0 + 0 with mate mapped to a different chr
0 + 0 with mate mapped to a different chr (mapQ>=5)
`;

describe('parsers', () => {
  it('parses flagstat text', () => {
    const { passed, failed } = parseFlagstat(FLAGSTAT);
    expect(passed).toMatchObject({
      total: 600,
      mapped: 597,
      properlyPaired: 590,
      singletons: 3,
      withItselfAndMateMapped: 594,
      mateMappedToDifferentChrMapq5: 0,
    });
    expect(failed.total).toBe(0);
    expect(() => parseFlagstat('garbage')).toThrow(/had no "total" line/);
  });
  it('parses FastQC summary.txt', () => {
    expect(parseFastqcSummary('PASS\tBasic Statistics\tx.fq\nWARN\tPer base sequence content\tx.fq\n')).toEqual({
      'Basic Statistics': 'PASS',
      'Per base sequence content': 'WARN',
    });
  });
});

describe('cellranger command lines (as documented)', () => {
  it('count', () => {
    expect(
      cellrangerCountArgs({
        id: 'run1',
        fastqs: '/f',
        sample: 's1',
        transcriptome: '/t',
        chemistry: 'SC3Pv3',
        createBam: true,
        localcores: 8,
        localmem: 64,
        outputDir: '/w',
      }),
    ).toEqual([
      'cellranger',
      'count',
      '--id=run1',
      '--fastqs=/f',
      '--sample=s1',
      '--transcriptome=/t',
      '--chemistry=SC3Pv3',
      '--create-bam=true',
      '--localcores=8',
      '--localmem=64',
    ]);
  });
  it('mkref', () => {
    expect(cellrangerMkrefArgs({ genome: 'GRCh38', fasta: '/r/g.fa', genes: '/r/g.gtf', nthreads: 4, outputDir: '/r' })).toEqual([
      'cellranger',
      'mkref',
      '--genome=GRCh38',
      '--fasta=/r/g.fa',
      '--genes=/r/g.gtf',
      '--nthreads=4',
    ]);
  });
});

describe('images', () => {
  it('pins real versioned defaults; per call > configured > env > default', () => {
    expect(DEFAULT_IMAGES.samtools).toBe('quay.io/biocontainers/samtools:1.22.1--h96c455f_0');
    expect(imageFor('bwa')).toBe(DEFAULT_IMAGES.bwa);
    process.env.TOOLDOCK_BWA_IMAGE = 'env/bwa:1';
    expect(imageFor('bwa')).toBe('env/bwa:1');
    configureRecipes({ images: { bwa: 'configured/bwa:2' } });
    expect(imageFor('bwa')).toBe('configured/bwa:2');
    expect(imageFor('bwa', 'call/bwa:3')).toBe('call/bwa:3');
    configureRecipes({ images: { bwa: undefined } });
    delete process.env.TOOLDOCK_BWA_IMAGE;
  });
});

describe('bad input is rejected before any container, naming the field', () => {
  const field = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as InvalidInputError).field;
  };
  it.each([
    ['samtools.view', () => samtools.view({ input: 'relative.bam' }), 'samtools.view.input'],
    ['samtools.sort', () => samtools.sort({ input: '/no/such.bam', output: '/tmp/x.bam' }), 'samtools.sort.input'],
    ['samtools.sort threads', () => samtools.sort({ input: '/tmp', output: '/tmp/x.bam', threads: 0 }), 'samtools.sort.threads'],
    ['samtools.index', () => samtools.index({ input: '/no/such.bam' }), 'samtools.index.input'],
    ['samtools.flagstat', () => samtools.flagstat({ input: '/no/such.bam', bogus: 1 } as never), 'samtools.flagstat.bogus'],
    ['samtools.faidx', () => samtools.faidx({ input: '/no/such.fa' }), 'samtools.faidx.input'],
    ['bwa.index', () => bwa.index({ reference: '/no/such.fa' }), 'bwa.index.reference'],
    ['bwa.mem', () => bwa.mem({ index: '/no/such.fa', reads1: '/r.fq', output: '/o.bam' }), 'bwa.mem.index'],
    ['bwa.mem readGroup', () => bwa.mem({ index: '/x.fa', reads1: '/r.fq', output: '/o.bam', readGroup: 'ID:x' }), 'bwa.mem.readGroup'],
    ['fastqc', () => fastqc({ inputs: [], outdir: '/tmp' }), 'fastqc.inputs'],
    ['fastqc memory', () => fastqc({ inputs: ['/x.fq'], outdir: '/tmp', memory: 50 }), 'fastqc.memory'],
    [
      'cellranger.count',
      () => cellranger.count({ id: 'bad id', fastqs: '/f', transcriptome: '/t', createBam: false, outputDir: '/w' }),
      'cellranger.count.id',
    ],
    ['cellranger.mkref', () => cellranger.mkref({ genome: 'g', fasta: '/no.fa', genes: '/no.gtf', outputDir: '/tmp' }), 'cellranger.mkref.fasta'],
  ])('%s', async (_, call, expected) => {
    expect(await field(call())).toBe(expected);
  });
});

describe('synthetic data', () => {
  it('is deterministic and records origins in read names', () => {
    const a = syntheticDataset({ seed: 3, pairs: 10 });
    expect(syntheticDataset({ seed: 3, pairs: 10 })).toEqual(a);
    expect(syntheticDataset({ seed: 4, pairs: 10 }).reads1).not.toBe(a.reads1);
    const first = a.origins[0]!;
    expect(a.reads1.split('\n')[0]).toBe(`@${first.name}/1`);
    expect(first.name).toBe(`p0_${first.contig}_${first.pos1}_${first.pos2}_${first.strand}`);
  });
});
