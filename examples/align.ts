// Aligns several synthetic samples with real bwa and samtools, in parallel, and prints a summary.
// Run with: pnpm exec tsx examples/align.ts   (after npm run example has set things up)
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMany, terminalProgress } from '@tooldock/core';
import { bwa, configureRecipes, samtools, syntheticDataset } from '@tooldock/recipes';
import { localImage } from './local-images.js';

// Offline here: the local Debian image has samtools, bwa and FastQC. With a registry, drop this
// line and the pinned BioContainers images are used.
configureRecipes({ images: { samtools: localImage('bio'), bwa: localImage('bio') } });

const dir = mkdtempSync(join(tmpdir(), 'tooldock-align-'));
const reference = join(dir, 'ref.fa');
const samples = ['s1', 's2', 's3', 's4'];
writeFileSync(reference, syntheticDataset({ seed: 1, pairs: 0 }).fasta);
samples.forEach((name, i) => {
  const data = syntheticDataset({ seed: 1, pairs: 400, errorRate: 0.005 * (i + 1) });
  writeFileSync(join(dir, `${name}_R1.fq`), data.reads1);
  writeFileSync(join(dir, `${name}_R2.fq`), data.reads2);
});

await bwa.index({ reference });
const stats = await runMany(
  samples.map((name) => async (signal: AbortSignal) => {
    const bam = join(dir, `${name}.bam`);
    const run = { signal };
    await bwa.mem({ index: reference, reads1: join(dir, `${name}_R1.fq`), reads2: join(dir, `${name}_R2.fq`), output: bam, threads: 2, run });
    await samtools.index({ input: bam, run });
    return { name, ...(await samtools.flagstat({ input: bam, run })).passed };
  }),
  { concurrency: 2, onProgress: terminalProgress() },
);

console.log('sample  reads  mapped  properly paired');
for (const s of stats) {
  const pct = (n: number) => `${((100 * n) / s.primary).toFixed(1)}%`;
  console.log(`${s.name.padEnd(6)}  ${String(s.primary).padStart(5)}  ${pct(s.mapped).padStart(6)}  ${pct(s.properlyPaired).padStart(15)}`);
}
console.log(`outputs in ${dir}`);
