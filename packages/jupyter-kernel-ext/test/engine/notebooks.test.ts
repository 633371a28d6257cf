import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackages, repoRoot } from '#test-support/built-packages.js';
import { runNotebook } from '#test-support/notebook-runner.js';
import { tempDir } from '#test-support/temp-dir.js';
import { notebookImageEnv } from '#test-support/test-images.js';

interface Output {
  output_type: string;
  text?: string[];
  data?: Record<string, string[]>;
}
const notebooks = join(repoRoot, 'examples', 'notebooks');

async function execute(kernel: string, notebook = 'quickstart'): Promise<Output[][]> {
  return (await executeOnce(kernel, notebook)).map((c) => c ?? []);
}

/** Outputs per cell (undefined for markdown cells). */
async function executeOnce(kernel: string, notebook: string): Promise<Array<Output[] | undefined>> {
  const folder = tempDir('notebook');
  const out = join(folder, 'out.ipynb');
  // The alignment notebook uses the result cache and a fixed data folder under the temp dir:
  // a fresh TOOLDOCK_HOME and TMPDIR per run keep it cold and away from the user's cache.
  const env = { ...process.env, ...notebookImageEnv(), TOOLDOCK_HOME: join(folder, 'home'), TMPDIR: folder };
  // Like nbconvert --execute, keeping a Deno output that trails its cell's idle status (denoland/deno#20337).
  await runNotebook(`${notebook}-${kernel}.ipynb`, kernel, out, { cwd: notebooks, env, timeoutSeconds: 300, allowErrors: true });
  return (JSON.parse(readFileSync(out, 'utf8')) as { cells: Array<{ cell_type: string; outputs?: Output[] }> }).cells.map((c) =>
    c.cell_type === 'code' ? (c.outputs ?? []) : undefined,
  );
}

describe.each(['tslab', 'deno'])('the quick-start notebook under %s (headless nbconvert)', (kernel) => {
  let cells: Output[][];
  beforeAll(async () => {
    await buildPackages();
    cells = await execute(kernel);
  }, 180_000);
  const html = (o: Output | undefined) => (o?.data?.['text/html'] ?? []).join('');
  // Cell 0 is the notes (markdown); code cells follow.
  const result = (i: number) => cells[i]!.filter((o) => o.output_type === 'execute_result');

  it("renders bare values as the cell's one result: a run, the outcomes, records", () => {
    expect(result(2)).toHaveLength(1);
    expect(html(result(2)[0])).toContain('<code>sh -c &#39;for i in $(seq 1 40); do echo line $i; done&#39;</code> — exit 0');
    expect(cells[2]!.filter((o) => o.output_type !== 'execute_result')).toEqual([]);
    expect(html(result(4)[0])).toMatch(/1 succeeded, 1 failed[\s\S]*<td>1<\/td><td>good<\/td>/);
    expect(html(result(5)[0])).toContain('<table class="tooldock-data');
  });

  it('leaves one progress table, updated in place to its final state', () => {
    const tables = cells[3]!.filter((o) => o.output_type === 'display_data');
    expect(tables).toHaveLength(1);
    expect(html(tables[0])).toMatch(/fan-out: 4\/4 done, 0 running, 0 queued/);
    for (const i of [1, 2, 3, 4]) expect(html(tables[0])).toContain(`<td>task-${i}</td><td style="color:#080">done</td>`);
  });

  it('ends with a short uncaught error', () => {
    const error = cells[6]!.find((o) => o.output_type === 'error') as Output & { ename: string; traceback: string[] };
    expect(error.ename).toBe('ToolError');
    expect(error.traceback.join('\n')).toContain('broken input');
    expect(error.traceback.join('\n')).not.toMatch(/^\s+at /m);
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
