import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '@tooldock/core';
import { bwa, configureRecipes, DEFAULT_IMAGES, fastqc, imageFor, samtools, syntheticDataset } from '@tooldock/recipes';
import { tempDir } from '#test-support/temp-dir.js';
import { thrown } from '#test-support/invalid-input.js';

async function rejected(promise: Promise<unknown>): Promise<InvalidInputError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidInputError);
  return error as InvalidInputError;
}

describe('configureRecipes checks what it is given', () => {
  it('rejects unknown keys (a typo would silently keep the old images)', () => {
    const typo = thrown(() => configureRecipes({ image: { bwa: 'mirror/bwa:0.7.18' } } as never));
    expect(typo.field).toBe('configureRecipes.image');
    expect(typo.message).toMatch(/"image" is not a known option; valid options are images/);
    expect(thrown(() => configureRecipes({ images: { samtool: 'mirror/samtools:1.22' } } as never)).field).toBe('configureRecipes.images.samtool');
    expect(thrown(() => configureRecipes(null as never)).field).toBe('configureRecipes');
  });

  it.each(['Mirror/BWA:1', 'bwa:', 'bwa 0.7', '', 'x@sha256:abc'])('rejects the image reference %j, and changes nothing', (image) => {
    const error = thrown(() => configureRecipes({ images: { samtools: 'mirror/samtools:1.22.1', bwa: image } }));
    expect(error.field).toBe('configureRecipes.images.bwa');
    expect(error.message).toMatch(/image reference/);
    expect(imageFor('samtools')).toBe(DEFAULT_IMAGES.samtools);
    expect(imageFor('bwa')).toBe(DEFAULT_IMAGES.bwa);
  });

  it('accepts valid references and undefined (reset)', () => {
    configureRecipes({ images: { fastqc: 'localhost:5000/fastqc:0.12.1', cellranger: undefined } });
    expect(imageFor('fastqc')).toBe('localhost:5000/fastqc:0.12.1');
    configureRecipes({ images: { fastqc: undefined } });
    expect(imageFor('fastqc')).toBe(DEFAULT_IMAGES.fastqc);
  });
});

describe("recipe errors are InvalidInputErrors naming the recipe's field", () => {
  const dir = tempDir('recipe-validation');
  const bam = join(dir, 'in.bam');
  writeFileSync(bam, 'not really a BAM; never read');

  it('samtools.view to CRAM without a reference', async () => {
    const error = await rejected(samtools.view({ input: bam, output: join(dir, 'out.cram') }));
    expect(error.field).toBe('samtools.view.reference');
    expect(error.message).toMatch(/CRAM/);
    expect((await rejected(samtools.view({ input: bam, output: join(dir, 'out.sam'), format: 'cram' }))).field).toBe('samtools.view.reference');
  });

  it('samtools.sort of "-" without a stdin stream', async () => {
    const error = await rejected(samtools.sort({ input: '-', output: join(dir, 'sorted.bam') }));
    expect(error.field).toBe('samtools.sort.stdin');
    expect(error.message).toMatch(/input "-"/);
    expect((await rejected(samtools.sort({ input: '-', stdin: new PassThrough(), output: join(dir, 'sorted.txt') }))).field).toBe(
      'samtools.sort.output',
    );
  });

  it("an invalid image, per call or for bwa.mem's sort step", async () => {
    expect((await rejected(samtools.flagstat({ input: bam, image: 'Not An Image' }))).field).toBe('samtools.flagstat.image');
    expect((await rejected(bwa.mem({ index: '/x.fa', reads1: '/r.fq', output: '/o.bam', samtoolsImage: 'UPPER/case' }))).field).toBe(
      'bwa.mem.samtoolsImage',
    );
  });

  it("run options by runTool's own schema, under the recipe's name", async () => {
    expect((await rejected(samtools.view({ input: bam, run: { cpus: 0 } }))).field).toBe('samtools.view.run.cpus');
    expect((await rejected(fastqc({ inputs: [bam], outdir: dir, run: { timeoutMs: 1.5 } }))).field).toBe('fastqc.run.timeoutMs');
    expect((await rejected(bwa.index({ reference: '/ref.fa', run: { user: 'root' } }))).field).toBe('bwa.index.run.user');
    expect((await rejected(samtools.index({ input: bam, run: { reject: false } as never }))).field).toBe('samtools.index.run.reject');
  });

  it('a bad call rejects (never throws synchronously), like a failed run', async () => {
    let promise: Promise<unknown> | undefined;
    expect(() => {
      promise = samtools.view(null as never);
    }).not.toThrow();
    expect((await rejected(promise!)).field).toBe('samtools.view');
  });
});

describe('syntheticDataset checks its options', () => {
  it.each([
    [{ seed: 1.5 }, 'syntheticDataset.seed'],
    [{ seed: '7' }, 'syntheticDataset.seed'],
    [{}, 'syntheticDataset.seed'],
    [{ seed: 1, pair: 10 }, 'syntheticDataset.pair'],
    [{ seed: 1, pairs: -1 }, 'syntheticDataset.pairs'],
    [{ seed: 1, pairs: 2.5 }, 'syntheticDataset.pairs'],
    [{ seed: 1, pairs: 1e9 }, 'syntheticDataset.pairs'],
    [{ seed: 1, contigs: {} }, 'syntheticDataset.contigs'],
    [{ seed: 1, contigs: { chr1: 0 } }, 'syntheticDataset.contigs.chr1'],
    [{ seed: 1, contigs: { chr1: 50 } }, 'syntheticDataset.contigs.chr1'],
    [{ seed: 1, contigs: { 'chr 1': 5000 } }, 'syntheticDataset.contigs["chr 1"]'],
    [{ seed: 1, readLength: 150, insertSize: 100 }, 'syntheticDataset.insertSize'],
    [{ seed: 1, readLength: 400 }, 'syntheticDataset.readLength'],
    [{ seed: 1, errorRate: 1.5 }, 'syntheticDataset.errorRate'],
    [{ seed: 1, errorRate: -0.1 }, 'syntheticDataset.errorRate'],
  ])('%j → %s', (options, field) => {
    expect(thrown(() => syntheticDataset(options as never)).field).toBe(field);
  });

  it('still accepts the forms the examples use', () => {
    expect(syntheticDataset({ seed: 3, pairs: 0 }).origins).toEqual([]);
    expect(syntheticDataset({ seed: 3, contigs: { chr1: 50 }, pairs: 0 }).contigs.chr1).toHaveLength(50);
    const data = syntheticDataset({ seed: 5, contigs: { chr1: 300 }, pairs: 3, readLength: 100, insertSize: 300, errorRate: 0 });
    expect(data.origins).toHaveLength(3);
  });
});
