import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runMany, type ToolEvent } from '@tooldock/core';
import { bwa, configureRecipes, samtools, syntheticDataset } from '@tooldock/recipes';
import { testCluster } from '#test-support/slurm-engine.js';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

const { bio } = testImages();
const cluster = testCluster();
const dir = tempDir('slurm-pipeline');
const ref = join(dir, 'ref.fa');
const SAMPLES = 8;

/** One sample: bwa mem (piped into samtools sort) → flagstat, every tool run a Slurm job. */
function sampleTask(sample: number, engine: typeof cluster | undefined, nodes: Set<string>) {
  const run = engine ? { engine, onEvent: (e: ToolEvent) => e.type === 'job:state' && e.node && nodes.add(e.node) } : {};
  return async () => {
    const bam = join(dir, `${engine ? 'cluster' : 'local'}-s${sample}.bam`);
    await bwa.mem({ index: ref, reads1: join(dir, `s${sample}_R1.fq`), reads2: join(dir, `s${sample}_R2.fq`), output: bam, threads: 1, run });
    return (await samtools.flagstat({ input: bam, run })).passed;
  };
}

describe('the recipes pipeline on the cluster', () => {
  beforeAll(() => {
    configureRecipes({ images: { samtools: bio, bwa: bio } });
    const reference = syntheticDataset({ seed: 11, contigs: { chr1: 5000, chr2: 3000 }, pairs: 10 });
    writeFileSync(ref, reference.fasta);
    for (let s = 0; s < SAMPLES; s++) {
      const data = syntheticDataset({ seed: 11, contigs: { chr1: 5000, chr2: 3000 }, pairs: 100 + 20 * s });
      writeFileSync(join(dir, `s${s}_R1.fq`), data.reads1);
      writeFileSync(join(dir, `s${s}_R2.fq`), data.reads2);
    }
    return () => configureRecipes({ images: { samtools: undefined, bwa: undefined } });
  });

  it('bwa index → 8 × bwa mem → flagstat: on both nodes, the same numbers as locally', async () => {
    const nodes = new Set<string>();
    await bwa.index({ reference: ref, run: { engine: cluster } });
    const tasks = Array.from({ length: SAMPLES }, (_, s) => sampleTask(s, cluster, nodes));
    const onCluster = await runMany(tasks, { engine: cluster });
    expect([...nodes].sort()).toEqual(['n1', 'n2']);
    onCluster.forEach((stats, s) => expect(stats.total).toBe(2 * (100 + 20 * s)));
    const locally = await runMany(Array.from({ length: SAMPLES }, (_, s) => sampleTask(s, undefined, nodes)));
    expect(onCluster).toEqual(locally);
  });
});
