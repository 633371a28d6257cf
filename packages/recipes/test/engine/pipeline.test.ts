import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError, runTool } from '@tooldock/core';
import { bwa, cellranger, cellrangerCountArgs, configureRecipes, fastqc, samtools, syntheticDataset } from '@tooldock/recipes';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

const images = testImages() as ReturnType<typeof testImages> & { cellranger_standin: string };
const data = syntheticDataset({ seed: 7, contigs: { chr1: 6000, chr2: 4000 }, pairs: 300 });
const dir = tempDir('recipes');
const ref = join(dir, 'ref.fa');
const r1 = join(dir, 'sample_R1.fq');
const r2 = join(dir, 'sample_R2.fq');
const bam = join(dir, 'sample.bam');

interface SamRecord {
  name: string;
  flag: number;
  contig: string;
  pos: number;
  end: number;
}
function parseSam(text: string): SamRecord[] {
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('@'))
    .map((line) => {
      const f = line.split('\t');
      const refLength = [...f[5]!.matchAll(/(\d+)([MDN=X])/g)].reduce((n, m) => n + Number(m[1]), 0);
      return { name: f[0]!, flag: Number(f[1]), contig: f[2]!, pos: Number(f[3]), end: Number(f[3]) + refLength - 1 };
    });
}

describe('recipes on real samtools, bwa and FastQC', () => {
  beforeAll(async () => {
    // The local Debian image carries all three tools; real deployments use the pinned BioContainers.
    configureRecipes({ images: { samtools: images.bio, bwa: images.bio, fastqc: images.bio, cellranger: images.cellranger_standin } });
    writeFileSync(ref, data.fasta);
    writeFileSync(r1, data.reads1);
    writeFileSync(r2, data.reads2);
    await bwa.index({ reference: ref });
    await bwa.mem({ index: ref, reads1: r1, reads2: r2, output: bam, threads: 2, readGroup: '@RG\\tID:s1\\tSM:s1' });
    await samtools.index({ input: bam });
  }, 180_000);

  it('index → mem (piped into sort) → index: files exist, nothing partial left', () => {
    for (const ext of ['amb', 'ann', 'bwt', 'pac', 'sa']) expect(existsSync(`${ref}.${ext}`)).toBe(true);
    expect(existsSync(`${bam}.bai`)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.includes('partial'))).toEqual([]);
  });

  it('maps ≥ 95% of reads, ≥ 95% at their true positions', async () => {
    const { sam } = await samtools.view({ input: bam });
    const primary = parseSam(sam!).filter((r) => (r.flag & 0x900) === 0);
    expect(primary.length).toBe(600);
    const mapped = primary.filter((r) => (r.flag & 0x4) === 0);
    expect(mapped.length / primary.length).toBeGreaterThanOrEqual(0.95);
    const truth = new Map(data.origins.map((o) => [o.name, o]));
    const correct = mapped.filter((r) => {
      const origin = truth.get(r.name)!;
      const expected = r.flag & 0x40 ? origin.pos1 : origin.pos2;
      return r.contig === origin.contig && Math.abs(r.pos - expected) <= 5;
    });
    expect(correct.length / primary.length).toBeGreaterThanOrEqual(0.95);
  });

  it('parses flagstat into the numbers samtools itself reports', async () => {
    const stats = await samtools.flagstat({ input: bam });
    const json = await runTool(images.bio, ['samtools', 'flagstat', '-O', 'json', bam], [dir]);
    const own = JSON.parse(String(json.stdout))['QC-passed reads'] as Record<string, number>;
    expect(stats.passed.total).toBe(own.total);
    expect(stats.passed.primary).toBe(own.primary);
    expect(stats.passed.mapped).toBe(own.mapped);
    expect(stats.passed.properlyPaired).toBe(own['properly paired']);
    expect(stats.passed.singletons).toBe(own.singletons);
    expect(stats.passed.read1).toBe(own.read1);
    expect(stats.passed.pairedInSequencing).toBe(own['paired in sequencing']);
  });

  it('view with a region returns exactly the records overlapping it', async () => {
    const all = parseSam((await samtools.view({ input: bam })).sam!);
    const expected = all
      .filter((r) => r.contig === 'chr1' && (r.flag & 0x4) === 0 && r.pos <= 1500 && r.end >= 1000)
      .map((r) => `${r.name}/${r.flag}`)
      .sort();
    const got = parseSam((await samtools.view({ input: bam, region: 'chr1:1000-1500' })).sam!)
      .map((r) => `${r.name}/${r.flag}`)
      .sort();
    expect(expected.length).toBeGreaterThan(10);
    expect(got).toEqual(expected);
  });

  it('writes SAM directly, refuses to overwrite an input, and asks for the index first', async () => {
    const sam = join(dir, 'direct.sam');
    await bwa.mem({ index: ref, reads1: r1, output: sam });
    expect(parseSam(readFileSync(sam, 'utf8')).length).toBeGreaterThanOrEqual(300);
    await expect(bwa.mem({ index: ref, reads1: r1, output: r1 })).rejects.toThrow(/bwa\.mem\.output: .* must end with \.sam or \.bam/);
    await expect(samtools.sort({ input: bam, output: bam })).rejects.toThrow(/samtools\.sort\.output: .* is also an input/);
    const bare = join(dir, 'unindexed.fa');
    writeFileSync(bare, data.fasta);
    const error = await bwa.mem({ index: bare, reads1: r1, output: join(dir, 'x.bam') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(/bwa\.mem\.index: .* has no complete BWA index \(missing .*unindexed\.fa\.amb.*\); run bwa\.index/);
  });

  it('leaves no output when a tool fails', async () => {
    const broken = join(dir, 'broken.sam');
    writeFileSync(broken, 'this is not SAM\n');
    await expect(samtools.sort({ input: broken, output: join(dir, 'broken.bam') })).rejects.toThrow(/Command failed with exit code/);
    expect(existsSync(join(dir, 'broken.bam'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('partial'))).toEqual([]);
  });

  it('FastQC writes <base>_fastqc.html/.zip and the module statuses', async () => {
    const qc = tempDir('fastqc');
    const [report] = await fastqc({ inputs: [r1], outdir: qc, threads: 1 });
    expect(report!.html).toBe(join(qc, 'sample_R1_fastqc.html'));
    expect(existsSync(report!.html) && existsSync(report!.zip)).toBe(true);
    expect(report!.summary['Basic Statistics']).toBe('PASS');
    expect(Object.keys(report!.summary).length).toBeGreaterThanOrEqual(10);
    expect(readdirSync(qc).sort()).toEqual(['sample_R1_fastqc.html', 'sample_R1_fastqc.zip']);
  });

  it('cellranger (stand-in image, not cellranger): passes the documented arguments and finds outs/', async () => {
    const work = tempDir('cellranger');
    const fastqs = tempDir('cr-fastqs');
    const transcriptome = tempDir('cr-ref');
    const options = { id: 'pbmc', fastqs, sample: 'pbmc', transcriptome, createBam: false, localcores: 2, localmem: 8, outputDir: work };
    const outs = await cellranger.count(options);
    expect(outs.filteredMatrixH5).toBe(join(work, 'pbmc/outs/filtered_feature_bc_matrix.h5'));
    expect(existsSync(outs.webSummary)).toBe(true);
    const argv = readFileSync(join(work, 'pbmc/argv.txt'), 'utf8').trim().split('\n');
    expect(argv).toEqual(cellrangerCountArgs({ ...options, run: undefined, image: undefined }).slice(1));
  });
});
