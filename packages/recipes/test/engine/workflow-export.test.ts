import { execFile } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { runTool } from '@tooldock/core';
import { exportProvenance, exportWorkflow, runRecords, type RunRecord } from '@tooldock/core/provenance';
import { bwa, configureRecipes, parseFlagstat, samtools, syntheticDataset, type Flagstat } from '@tooldock/recipes';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

const run = promisify(execFile);
const images = testImages();
const dir = tempDir('cwl-data');
const cache = { dir: tempDir('cwl-cache'), inputs: 'content' as const };
const exportDir = join(tempDir('cwl-export'), 'pipeline');
const reference = join(dir, 'ref.fa');
const flagstats = new Map<string, Flagstat>();
let since = '';

/** The cwltool on PATH; with CI=true a missing one fails the file (scripts/cwltool.sh installs it). */
async function cwltool(args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  return run('cwltool', args, { cwd, maxBuffer: 64 << 20, timeout: 600_000 });
}

/** The alignment notebook's cells for one sample: bwa mem → samtools sort → index → flagstat. */
async function alignSample(name: string, seed: number): Promise<void> {
  const data = syntheticDataset({ seed, pairs: 300, errorRate: 0.01 });
  writeFileSync(join(dir, `${name}_R1.fq`), data.reads1);
  writeFileSync(join(dir, `${name}_R2.fq`), data.reads2);
  const opts = { run: { cache } };
  await bwa.mem({
    index: reference,
    reads1: join(dir, `${name}_R1.fq`),
    reads2: join(dir, `${name}_R2.fq`),
    output: join(dir, `${name}.sam`),
    threads: 2,
    readGroup: `@RG\\tID:${name}\\tSM:${name}`,
    ...opts,
  });
  await samtools.sort({ input: join(dir, `${name}.sam`), output: join(dir, `${name}.bam`), ...opts });
  await samtools.index({ input: join(dir, `${name}.bam`), ...opts });
  flagstats.set(name, await samtools.flagstat({ input: join(dir, `${name}.bam`), ...opts }));
}

/** This file's records only (a worker may have run other files before). */
const mine = (): RunRecord[] => runRecords().filter((r) => r.startedAt >= since);

/** The alignment records of a BAM, without its header (which carries command lines and paths). */
async function alignments(bam: string): Promise<string> {
  const { stdout } = await runTool(images.bio, ['samtools', 'view', bam], [bam]);
  return String(stdout);
}

describe('exportWorkflow: the alignment notebook as a CWL workflow cwltool re-runs', () => {
  beforeAll(async () => {
    if (
      !(await run('cwltool', ['--version']).then(
        () => true,
        () => false,
      ))
    ) {
      throw new Error('cwltool is not installed: run bash scripts/cwltool.sh (npm test does)');
    }
    process.env.TOOLDOCK_HOME = tempDir('cwl-home');
    since = new Date().toISOString();
    configureRecipes({ images: { samtools: images.bio, bwa: images.bio } });
    writeFileSync(reference, syntheticDataset({ seed: 3, pairs: 0 }).fasta);
    await bwa.index({ reference, run: { cache } });
    await alignSample('s1', 3);
  }, 300_000);

  it('exports one tool per call shape, wired by content, with the original inputs in the job', async () => {
    const exported = await exportWorkflow(exportDir, { format: 'cwl', records: mine() });
    expect(exported.warnings).toEqual([]);
    expect(exported.steps).toBe(5);
    expect(
      exported.tools
        .map((t) =>
          t
            .split('/')
            .pop()!
            .replace(/-[0-9a-f]{8}\.cwl$/, ''),
        )
        .sort(),
    ).toEqual(['bwa-index', 'bwa-mem', 'samtools-flagstat', 'samtools-index', 'samtools-sort']);
    expect(exported.warnings).toEqual([]);
    const workflow = readFileSync(exported.workflow, 'utf8');
    // Data flow from the records' content identity: the renamed outputs feed the later steps.
    expect(workflow).toContain('"bwa_index_1/out1_bwt"');
    expect(workflow).toContain('"bwa_mem_1/stdout_file"');
    expect(workflow).toContain('"samtools_sort_1/out1"');
    expect(workflow).toContain('"samtools_index_1/out1"');
    const job = readFileSync(exported.job, 'utf8');
    for (const file of ['ref.fa', 's1_R1.fq', 's1_R2.fq']) expect(job).toContain(`path: "${join(dir, file)}"`);
    expect(job).not.toContain('.bam');
    const tool = readFileSync(
      exported.tools.find((t) => t.includes('bwa-mem'))!,
      'utf8',
    );
    const imageId = mine()[0]!.imageId!;
    expect(tool).toContain(`dockerImageId: "${imageId}"`);
  });

  it('a second export after more calls adds to the workflow, reusing its tools; left-out calls are named', async () => {
    const before = readdirSync(join(exportDir, 'tools')).sort();
    await alignSample('s2', 4);
    // Two calls that do not translate: a failure, and a call fed by a Node stream.
    await runTool(images.bio, ['samtools', 'view', join(dir, 'missing.bam')], [dir], { reject: false, cache });
    await runTool(images.busybox, ['wc', '-c'], [], { stdin: Readable.from(['acgt\n']), cache });
    const exported = await exportWorkflow(exportDir, { format: 'cwl', records: mine().slice(-6) });
    expect(exported).toMatchObject({ steps: 9, added: 4 });
    expect(readdirSync(join(exportDir, 'tools')).sort()).toEqual(before);
    expect(exported.warnings).toEqual([
      expect.stringMatching(/^left out `samtools view .*missing\.bam` .*: it failed/),
      expect.stringMatching(/^left out `wc -c` .*: it was fed by a Node stream/),
    ]);
    const readme = readFileSync(exported.readme, 'utf8');
    expect(readme).toContain('it was fed by a Node stream');
    expect(readme).toContain('| samtools_flagstat_2 |');
  });

  it('passes cwltool --validate', async () => {
    const { stdout, stderr } = await cwltool(['--validate', 'workflow.cwl'], exportDir);
    expect(`${stdout}${stderr}`).toMatch(/workflow\.cwl is valid CWL/);
  }, 120_000);

  it('cwltool re-runs it from the original inputs: same alignment records, same flagstat numbers', async () => {
    const out = join(tempDir('cwl-rerun'), 'out');
    const { stdout, stderr } = await cwltool(['--outdir', out, 'workflow.cwl', 'job.yml'], exportDir);
    expect(stderr).toMatch(/Final process status is success/);
    console.log(`cwltool: ${stderr.trim().split('\n').at(-1)}`);
    const outputs = JSON.parse(stdout) as Record<string, { path: string; basename: string }>;
    for (const [step, name] of [
      ['samtools_flagstat_1', 's1'],
      ['samtools_flagstat_2', 's2'],
    ] as const) {
      const rerun = parseFlagstat(readFileSync(outputs[`${step}_stdout_file`]!.path, 'utf8'));
      expect(rerun.passed.primary).toBe(600);
      expect(rerun).toEqual({ passed: flagstats.get(name)!.passed, failed: flagstats.get(name)!.failed });
    }
    for (const [step, name] of [
      ['samtools_sort_1', 's1'],
      ['samtools_sort_2', 's2'],
    ] as const) {
      const bam = outputs[`${step}_out1`]!;
      expect(bam.basename).toBe(`${name}.bam`);
      expect(await alignments(bam.path)).toBe(await alignments(join(dir, `${name}.bam`)));
    }
    expect(existsSync(outputs.samtools_index_2_out1!.path)).toBe(true);
    // To look at what was exported (docs/provenance.md shows these files): keep a copy.
    if (process.env.TOOLDOCK_KEEP_EXPORT) cpSync(exportDir, process.env.TOOLDOCK_KEEP_EXPORT, { recursive: true });
  }, 600_000);

  it('the provenance crate of the same runs links the workflow', async () => {
    const crateDir = join(tempDir('cwl-crate'), 'crate');
    await exportProvenance(crateDir, { records: mine() });
    const crate = JSON.parse(readFileSync(join(crateDir, 'ro-crate-metadata.json'), 'utf8')) as { '@graph': Array<Record<string, unknown>> };
    const workflow = crate['@graph'].find((e) => String(e['@id']).endsWith('/pipeline/workflow.cwl'))!;
    expect(workflow).toMatchObject({
      '@type': ['File', 'SoftwareSourceCode', 'ComputationalWorkflow'],
      programmingLanguage: { '@id': 'https://w3id.org/workflowhub/workflow-ro-crate#cwl' },
    });
    expect((workflow.isBasedOn as unknown[]).length).toBe(9);
    const root = crate['@graph'].find((e) => e['@id'] === './')!;
    expect(root.hasPart).toContainEqual({ '@id': workflow['@id'] });
  });
});
