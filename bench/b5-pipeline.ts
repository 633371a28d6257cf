import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runMany } from '@tooldock/core';
import { bwa, configureRecipes, syntheticDataset } from '@tooldock/recipes';
import { shell } from './cli.js';
import { interleaved, median } from './stats.js';
import type { BenchContext, BenchRow } from './types.js';

/** B5: bwa mem → samtools sort over 8 samples: runMany + recipes vs a bash script (docker run, xargs -P). */
export async function pipeline({ images, smoke, scratch }: BenchContext): Promise<BenchRow[]> {
  configureRecipes({ images: { bwa: images.bio, samtools: images.bio } });
  const samples = Array.from({ length: smoke ? 2 : 8 }, (_, i) => `s${i + 1}`);
  const concurrency = 2;
  const reference = join(scratch, 'ref.fa');
  writeFileSync(reference, syntheticDataset({ seed: 5, contigs: { chr1: 50_000, chr2: 30_000 }, pairs: 0 }).fasta);
  for (const s of samples) {
    const data = syntheticDataset({ seed: 5, contigs: { chr1: 50_000, chr2: 30_000 }, pairs: smoke ? 2000 : 20_000 });
    writeFileSync(join(scratch, `${s}_R1.fq`), data.reads1);
    writeFileSync(join(scratch, `${s}_R2.fq`), data.reads2);
  }
  await bwa.index({ reference });
  const script = `printf '%s\\n' ${samples.join(' ')} | xargs -P ${concurrency} -I{} bash -c '
    docker run --rm --network none -v ${scratch}:${scratch}:ro ${images.bio} bwa mem -t 1 ${reference} ${scratch}/{}_R1.fq ${scratch}/{}_R2.fq 2>/dev/null |
    docker run --rm -i --network none -v ${scratch}:${scratch} ${images.bio} samtools sort -O bam -o ${scratch}/{}.bash.bam - 2>/dev/null'`;
  const times = await interleaved(smoke ? 1 : 2, {
    recipes: async () => {
      await runMany(
        samples.map(
          (s) => () =>
            bwa.mem({
              index: reference,
              reads1: join(scratch, `${s}_R1.fq`),
              reads2: join(scratch, `${s}_R2.fq`),
              output: join(scratch, `${s}.${Date.now()}.bam`),
              threads: 1,
            }),
        ),
        { concurrency },
      );
    },
    bash: async () => {
      const code = await shell(script);
      if (code !== 0) throw new Error(`bash pipeline exited ${code}`);
    },
  });
  const ours = median(times.recipes!);
  const bash = median(times.bash!);
  return [
    {
      id: 'B5',
      what: `bwa mem | samtools sort over ${samples.length} samples at concurrency ${concurrency}: runMany + recipes vs bash (docker run | docker run -i, xargs -P)`,
      figures: { recipesS: ours / 1000, bashS: bash / 1000 },
      ratios: { vsBash: ours / bash },
      targets: { vsBash: 1.0 },
    },
  ];
}
