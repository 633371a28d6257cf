import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, runTool } from '@tooldock/core';
import { type DockerEngine } from '@tooldock/core/docker';
import { copyModeReason } from '@tooldock/core/advanced';
import { bwa, configureRecipes, fastqc, samtools, syntheticDataset } from '@tooldock/recipes';
import { DindDaemon } from '#test-support/dind-daemon.js';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

const images = testImages();
const dir = tempDir('dind-pipeline');
const ref = join(dir, 'ref.fa');
const bam = join(dir, 'sample.bam');
/** Compared byte for byte. Not the BAM and its index: see `pipeline`. */
const outputs = ['ref.fa.amb', 'ref.fa.ann', 'ref.fa.bwt', 'ref.fa.pac', 'ref.fa.sa', 'ref.fa.fai'];

/** index → mem | sort → index → faidx → flagstat → FastQC, all on `engine`, in the same directory. */
async function pipeline(engine: DockerEngine) {
  const run = { engine };
  const data = syntheticDataset({ seed: 11, contigs: { chr1: 5000, chr2: 3000 }, pairs: 250 });
  writeFileSync(ref, data.fasta);
  writeFileSync(join(dir, 'r1.fq'), data.reads1);
  writeFileSync(join(dir, 'r2.fq'), data.reads2);
  await bwa.index({ reference: ref, run });
  await bwa.mem({ index: ref, reads1: join(dir, 'r1.fq'), reads2: join(dir, 'r2.fq'), output: bam, threads: 2, run });
  await samtools.index({ input: bam, run });
  await samtools.faidx({ input: ref, run });
  const stats = await samtools.flagstat({ input: bam, run });
  const [report] = await fastqc({ inputs: [join(dir, 'r1.fq')], outdir: dir, run });
  // The BAM's @PG line names the recipe's random temp file: compare its records and the rest of
  // its header as text. That name compresses to a byte more or less, which shifts the offsets in
  // the index (.bai), so the index is compared by what it says: idxstats, read from the index.
  const { stdout } = await runTool(images.bio, ['samtools', 'view', '-h', bam], [dir]);
  const normalised = String(stdout).replace(/\.sample\.bam\.partial-[0-9a-f]+/g, 'TEMP');
  const idxstats = await runTool(images.bio, ['samtools', 'idxstats', bam], [dir]);
  // Without a usable index, idxstats reads the whole BAM instead and only says so on stderr.
  expect(idxstats.stderr).not.toMatch(/fail to load index/);
  return {
    stats: stats.passed,
    files: new Map(outputs.map((name) => [name, readFileSync(join(dir, name))])),
    sam: normalised,
    idxstats: String(idxstats.stdout),
    report,
  };
}

describe('an isolated DinD-like daemon (no shared filesystem): the recipes run in copy mode', () => {
  const dind = new DindDaemon();
  let engine: DockerEngine;

  beforeAll(async () => {
    configureRecipes({ images: { samtools: images.bio, bwa: images.bio, fastqc: images.bio } });
    await dind.start();
    dind.loadImage(images.bio);
    dind.loadImage(images.busybox);
    engine = dind.engine();
  }, 180_000);

  afterAll(() => dind.destroy(), 60_000);

  it("is detected as sharing no files, and tools there see this machine's files through copy mode", async () => {
    expect(await copyModeReason(engine)).toMatch(/runs on "\w+", not on this machine/);
    const probe = tempDir('dind-probe');
    writeFileSync(join(probe, 'here.txt'), 'only on this machine\n');
    const result = await runTool(images.busybox, ['cat', join(probe, 'here.txt')], [probe], { engine });
    expect(result.stdout).toBe('only on this machine\n');
    expect(result.mounts[0]?.source).toEqual({ type: 'copy' });
  });

  it('produces byte-identical outputs to the shared-filesystem run', async () => {
    const shared = await pipeline(connect());
    for (const name of [...outputs, 'sample.bam.bai', 'r1_fastqc.html', 'r1_fastqc.zip']) rmSync(join(dir, name));
    const copied = await pipeline(engine);

    expect(copied.stats).toEqual(shared.stats);
    expect(copied.stats.mapped).toBeGreaterThan(450);
    expect(copied.sam).toBe(shared.sam);
    expect(copied.sam.split('\n').length).toBeGreaterThan(500);
    expect(copied.idxstats).toBe(shared.idxstats);
    expect(copied.idxstats).toMatch(/^chr1\t5000\t[1-9]\d*\t\d+\nchr2\t3000\t[1-9]\d*\t\d+\n/);
    for (const name of outputs) {
      expect(copied.files.get(name)!.equals(shared.files.get(name)!), `${name} differs`).toBe(true);
    }
    // FastQC stamps its report with the date: compare its verdicts instead.
    expect(copied.report!.summary).toEqual(shared.report!.summary);
    expect(Object.keys(copied.report!.summary).length).toBeGreaterThan(5);
  });
});
