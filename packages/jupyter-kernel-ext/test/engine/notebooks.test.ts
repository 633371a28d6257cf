import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackages, repoRoot } from '#test-support/built-packages.js';
import { tempDir } from '#test-support/temp-dir.js';

interface Output { output_type: string; text?: string[]; data?: Record<string, string[]> }
const notebooks = join(repoRoot, 'examples', 'notebooks');

/** The output types each cell of the Deno notebooks must have (index = cell). */
const expectedUnderDeno: Record<string, string[][]> = {
  quickstart: [[], ['stream', 'display_data'], ['display_data'], ['display_data']],
  alignment: [[], ['stream'], ['display_data'], ['stream']],
};

async function execute(kernel: string, notebook = 'quickstart'): Promise<Output[][]> {
  // Deno's kernel reports a cell idle ~5 ms after it ends (denoland/deno#20337), and on a loaded
  // machine an output — even its own execute_result — can trail that; nbconvert then drops it.
  // A Deno notebook missing an expected output is run again, at most twice more, and said so.
  for (let attempt = 1; ; attempt++) {
    const cells = (await executeOnce(kernel, notebook)).map((c) => c ?? []);
    const expected = kernel === 'deno' ? expectedUnderDeno[notebook] ?? [] : [];
    const dropped = expected.some((types, i) => types.some((type) => !cells[i]?.some((o) => o.output_type === type)));
    if (!dropped || attempt === 3) return cells;
    console.warn(`${notebook}-${kernel}: an output trailed the kernel's idle status and was dropped; running it again`);
  }
}

/** Outputs per cell (undefined for markdown cells). */
async function executeOnce(kernel: string, notebook: string): Promise<Array<Output[] | undefined>> {
  const folder = tempDir('notebook');
  const out = join(folder, 'out.ipynb');
  // The alignment notebook uses the result cache and a fixed data folder under the temp dir:
  // a fresh TOOLDOCK_HOME and TMPDIR per run keep it cold and away from the user's cache.
  const env = { ...process.env, TOOLDOCK_HOME: join(folder, 'home'), TMPDIR: folder };
  await promisify(execFile)('jupyter', ['nbconvert', '--to', 'notebook', '--execute', `--ExecutePreprocessor.kernel_name=${kernel}`,
    '--ExecutePreprocessor.timeout=300', `${notebook}-${kernel}.ipynb`, '--output', out], { cwd: notebooks, env });
  return (JSON.parse(readFileSync(out, 'utf8')) as { cells: Array<{ cell_type: string; outputs?: Output[] }> }).cells
    .map((c) => (c.cell_type === 'code' ? c.outputs ?? [] : undefined));
}

describe('the tslab quick-start notebook (headless nbconvert)', () => {
  let cells: Output[][];
  beforeAll(async () => {
    await buildPackages();
    cells = await execute('tslab');
  }, 180_000);
  const html = (o: Output | undefined) => (o?.data?.['text/html'] ?? []).join('');

  it('runs a tool from a CommonJS-compiled cell, draws the progress table in place, shows the error', () => {
    expect((cells[1]!.find((o) => o.output_type === 'stream')?.text ?? []).join('')).toBe('hello from tslab\n');
    const tables = cells[2]!.filter((o) => o.output_type === 'display_data');
    expect(tables).toHaveLength(1);
    expect(html(tables[0])).toMatch(/fan-out: 4\/4 done, 0 running, 0 queued/);
    expect(html(cells[3]!.find((o) => o.output_type === 'display_data'))).toContain('✗ Command failed with exit code 3: sh');
  });
});

describe('the quick-start notebook under Deno\'s Jupyter kernel (headless nbconvert)', () => {
  let cells: Output[][];

  beforeAll(async () => {
    await buildPackages();
    cells = await execute('deno');
  }, 180_000);

  const text = (o: Output | undefined) => (o?.text ?? []).join('');
  const html = (o: Output | undefined) => (o?.data?.['text/html'] ?? []).join('');

  it('prints the tool\'s output and renders the result as the cell\'s value', () => {
    expect(text(cells[1]!.find((o) => o.output_type === 'stream'))).toBe('hello from a notebook\n');
    // rich() sends the value while Deno asks for it, as a display: it cannot trail the idle status.
    const result = html(cells[1]!.find((o) => o.output_type === 'display_data'));
    expect(result).toMatch(/<b>✓ echo &#39;hello from a notebook&#39;<\/b> — exit 0 in \d+ ms/);
  });

  it('leaves one progress table, updated in place to its final state', () => {
    const tables = cells[2]!.filter((o) => o.output_type === 'display_data');
    expect(tables).toHaveLength(1);
    expect(html(tables[0])).toMatch(/fan-out: 4\/4 done, 0 running, 0 queued/);
    expect(html(tables[0]).match(/color:#080">done/g)).toHaveLength(4);
    for (const i of [1, 2, 3, 4]) expect(html(tables[0])).toContain(`<td>task-${i}</td><td style="color:#080">done</td>`);
    expect(html(tables[0])).toMatch(/<code>task-\d<\/code>/); // last output lines reach the table
  });

  it('shows a failure with its stderr tail', () => {
    const error = html(cells[3]!.find((o) => o.output_type === 'display_data'));
    expect(error).toContain('✗ Command failed with exit code 3: sh');
    expect(error).toContain('<pre>broken input</pre>');
  });
});

describe.each(['deno', 'tslab'])('the alignment notebook under %s (headless nbconvert)', (kernel) => {
  let cells: Output[][];
  let dataDir: string | undefined;

  beforeAll(async () => {
    await buildPackages();
    cells = await execute(kernel, 'alignment');
    dataDir = /data in (\S+)/.exec((cells[1]!.find((o) => o.output_type === 'stream')?.text ?? []).join(''))?.[1];
  }, 400_000);
  afterAll(() => {
    if (dataDir?.startsWith(tmpdir())) rmSync(dataDir, { recursive: true, force: true });
  });

  it('aligns three samples with real bwa and samtools, with one progress table in its final state', () => {
    expect(dataDir).toMatch(/tooldock-notebook-.*\/tooldock-alignment$/);
    for (const sample of ['s1', 's2', 's3']) expect(existsSync(join(dataDir!, sample, `${sample}.bam.bai`))).toBe(true);
    const tables = cells[2]!.filter((o) => o.output_type === 'display_data');
    expect(tables).toHaveLength(1);
    const table = (tables[0]!.data?.['text/html'] ?? []).join('');
    expect(table).toMatch(/alignment: 3\/3 done, 0 running, 0 queued/);
    for (const sample of ['s1', 's2', 's3']) expect(table).toContain(`<td>${sample}</td><td style="color:#080">done</td>`);
  });

  it('reports mapping rates that bwa actually achieved', () => {
    const lines = (cells[3]!.find((o) => o.output_type === 'stream')?.text ?? []).join('').trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      const [, reads, mapped] = /^s\d: (\d+) reads, ([\d.]+)% mapped/.exec(line) ?? [];
      expect(Number(reads)).toBe(600);
      expect(Number(mapped)).toBeGreaterThanOrEqual(95);
    }
  });
});
