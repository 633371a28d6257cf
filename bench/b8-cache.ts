import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runMany, runTool } from '@tooldock/core';
import { configure } from '@tooldock/core/cache';
import { bwa, configureRecipes, syntheticDataset } from '@tooldock/recipes';
import { interleaved, median } from './stats.js';
import type { BenchContext, BenchRow } from './types.js';

/**
 * B8: the result cache. (1) A hit's latency vs the same call run uncached (a small tool: read an
 * input folder, write one output, print a line). (2) The B5 pipeline (bwa mem | samtools sort per
 * sample, runMany + recipes) re-run with every call served from the cache vs run uncached.
 */
export async function cache(ctx: BenchContext): Promise<BenchRow[]> {
  return [await hitLatency(ctx), await cachedPipeline(ctx)];
}

async function hitLatency({ images, smoke, scratch }: BenchContext): Promise<BenchRow> {
  const dir = join(scratch, 'b8-small');
  mkdirSync(join(dir, 'in'), { recursive: true });
  mkdirSync(join(dir, 'out'), { recursive: true });
  for (let i = 0; i < 10; i++) writeFileSync(join(dir, 'in', `r${i}.txt`), `read ${i}\n`.repeat(200));
  const call = (cacheDir: string | false) =>
    runTool(images.busybox, ['sh', '-c', `cat ${dir}/in/* | wc -l > ${dir}/out/n.txt; echo done`], [join(dir, 'in'), `${join(dir, 'out')}:rw`], {
      cache: cacheDir,
    });
  const cacheDir = join(scratch, 'b8-cache-small');
  await call(cacheDir); // stored once; every timed call below is a hit
  const rounds = smoke ? 3 : 30;
  const times = await interleaved(rounds, {
    hit: async () => {
      if (!(await call(cacheDir)).cached) throw new Error('B8: expected a cache hit');
    },
    uncached: async () => void (await call(false)),
  });
  const [hit, uncached] = [median(times.hit!), median(times.uncached!)];
  return {
    id: 'B8-hit',
    what: `a cache hit vs the same runTool call uncached (busybox, 10 input files, 1 output; ${rounds} interleaved rounds, medians)`,
    figures: { hitMs: hit, uncachedMs: uncached },
    ratios: { vsUncached: hit / uncached },
    targets: { vsUncached: 0.2 },
    note: 'target from issue 15: a hit < 50 ms median',
  };
}

async function cachedPipeline({ images, smoke, scratch }: BenchContext): Promise<BenchRow> {
  configureRecipes({ images: { bwa: images.bio, samtools: images.bio } });
  // Reads and reference in one folder; each contender writes its BAMs into a folder of its own.
  const dir = join(scratch, 'b8-pipeline');
  mkdirSync(dir, { recursive: true });
  const samples = Array.from({ length: smoke ? 2 : 8 }, (_, i) => `s${i + 1}`);
  const reference = join(dir, 'ref.fa');
  const contigs = { chr1: 50_000, chr2: 30_000 };
  writeFileSync(reference, syntheticDataset({ seed: 5, contigs, pairs: 0 }).fasta);
  for (const s of samples) {
    const data = syntheticDataset({ seed: 5, contigs, pairs: smoke ? 2000 : 20_000 });
    writeFileSync(join(dir, `${s}_R1.fq`), data.reads1);
    writeFileSync(join(dir, `${s}_R2.fq`), data.reads2);
  }
  await bwa.index({ reference });
  const pipeline = (cacheDir: string | false) => {
    // Each contender writes its own folder: the uncached runs must not touch what the cached ones keep.
    const out = join(scratch, cacheDir ? 'b8-out-cached' : 'b8-out-uncached');
    mkdirSync(out, { recursive: true });
    return runMany(
      samples.map(
        (s) => () =>
          bwa.mem({
            index: reference,
            reads1: join(dir, `${s}_R1.fq`),
            reads2: join(dir, `${s}_R2.fq`),
            output: join(out, `${s}.bam`),
            threads: 1,
          }),
      ),
      { concurrency: 2 },
    ).finally(() => configure({ cache: undefined }));
  };
  const cacheDir = join(scratch, 'b8-cache-pipeline');
  configure({ cache: cacheDir });
  await pipeline(cacheDir); // stored once
  const times = await interleaved(smoke ? 1 : 3, {
    cached: async () => {
      configure({ cache: cacheDir });
      await pipeline(cacheDir);
    },
    uncached: async () => {
      configure({ cache: false });
      await pipeline(false);
    },
  });
  const [cached, uncached] = [median(times.cached!), median(times.uncached!)];
  return {
    id: 'B8-pipeline',
    what: `the B5 pipeline (bwa mem | samtools sort, ${samples.length} samples, runMany concurrency 2) re-run fully cached vs uncached`,
    figures: { cachedS: cached / 1000, uncachedS: uncached / 1000 },
    ratios: { vsUncached: cached / uncached },
    targets: { vsUncached: 0.1 },
  };
}
