import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ToolEvent } from '@tooldock/core';
import { bwa, configureRecipes, samtools, syntheticDataset } from '@tooldock/recipes';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

const images = testImages();

describe('recipes with the result cache', () => {
  it('serves an unchanged bwa.mem (aligner piped into samtools sort) and flagstat without a container', async () => {
    configureRecipes({ images: { samtools: images.bio, bwa: images.bio } });
    const dir = tempDir('recipe-cache');
    const input = join(dir, 'in');
    const out = join(dir, 'out');
    mkdirSync(input);
    mkdirSync(out);
    const data = syntheticDataset({ seed: 7, contigs: { chr1: 4000 }, pairs: 200 });
    const reference = join(input, 'ref.fa');
    writeFileSync(reference, data.fasta);
    writeFileSync(join(input, 'r1.fq'), data.reads1);
    writeFileSync(join(input, 'r2.fq'), data.reads2);
    await bwa.index({ reference });
    let containers = 0;
    const run = {
      cache: join(dir, 'cache'),
      onEvent: (e: ToolEvent) => {
        if (e.type === 'container:created') containers++;
      },
    };
    const align = () =>
      bwa.mem({ index: reference, reads1: join(input, 'r1.fq'), reads2: join(input, 'r2.fq'), output: join(out, 's.bam'), threads: 1, run });
    await align();
    const stats = await samtools.flagstat({ input: join(out, 's.bam'), run });
    expect(containers).toBe(3);
    const bam = readFileSync(join(out, 's.bam'));
    rmSync(join(out, 's.bam'));
    containers = 0;
    await align();
    expect(await samtools.flagstat({ input: join(out, 's.bam'), run })).toEqual(stats);
    expect(containers).toBe(0);
    expect(readFileSync(join(out, 's.bam')).equals(bam)).toBe(true);
  });
});
