import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPackages, repoRoot } from '#test-support/built-packages.js';
import {
  executeNotebook,
  mime,
  outsideNotebookFolder,
  writeNotebook,
  type ExecutedCell,
  type NotebookFolder,
  type NotebookOutput,
} from '#test-support/notebook-folder.js';

// Notebooks run from a folder outside the workspace, set up as the docs say (tooldock init,
// tslab installed globally, no NODE_PATH). A kernel that is missing fails these tests.
const kernels = ['tslab', 'deno'] as const;
/** Headless executions per kernel of the every-value notebook: drops are races, so repeat. */
const RUNS = Number(process.env.TOOLDOCK_NOTEBOOK_RUNS ?? 10);

const setup = `import { readFileSync } from "node:fs";
import { InvalidInputError, runMany, runTool } from "@tooldock/core";
import { liveProgress, rich, show } from "@tooldock/jupyter";
const images = JSON.parse(readFileSync(process.env.TOOLDOCK_TEST_IMAGES!, "utf8"));`;

/** Cells of every output kind, each with what it must produce (output type: text in it). */
const everyValue: Array<{ code: string; expect: Array<[string, RegExp]> }> = [
  { code: setup, expect: [] },
  {
    code: 'rich(await runTool(images.busybox, ["sh", "-c", "for i in $(seq 1 40); do echo line $i; done"]))',
    expect: [['result', /line 10\n… 20 lines omitted …\nline 31/]],
  },
  {
    code: 'await show({ passed: { total: 600, mapped: 598 }, failed: { total: 0, mapped: 0 } });',
    expect: [['display_data', /<th>passed<\/th><td style="text-align:right">600<\/td>/]],
  },
  {
    code: 'try { await runTool(images.busybox, ["true"], [], { cpus: -1 }); } catch (e) { await show(e); }',
    expect: [['display_data', /✗ InvalidInputError: /]],
  },
  {
    code: 'rich([{ sample: "s1", reads: 600 }, { sample: "s2", reads: 590 }])',
    expect: [['result', /<td>s2<\/td><td style="text-align:right">590<\/td>/]],
  },
  {
    code: `const progress = liveProgress("fan-out");
await runMany([1, 2, 3].map((i) => ({ image: images.busybox, args: ["sh", "-c", \`echo task-\${i}; sleep 0.2\`], name: \`task-\${i}\` })), { concurrency: 2, onProgress: progress });
await progress.flush();`,
    expect: [['display_data', /fan-out: 3\/3 done, 0 running, 0 queued/]],
  },
  {
    code: 'rich(await runMany([async () => ({ sample: "s1", ok: true }), async () => { throw new Error("sample s2 is broken"); }], { failFast: false }))',
    expect: [['result', /1 succeeded, 1 failed[\s\S]*sample: &#39;s1&#39;[\s\S]*Error: sample s2 is broken/]],
  },
  {
    code: 'try { await runTool(images.busybox, ["sh", "-c", "echo broken input >&2; exit 3"]); } catch (e) { await show(e); }',
    expect: [['display_data', /✗ Command failed with exit code 3[\s\S]*<pre>broken input<\/pre>/]],
  },
];

/** Where a cell's value lands: tslab (completed protocol) and Deno's execute_result, or Deno's display sent in time. */
function valueOutput(cell: ExecutedCell): NotebookOutput | undefined {
  return (
    cell.outputs.find((o) => o.output_type === 'execute_result' && mime(o, 'text/html')) ??
    cell.outputs.filter((o) => o.output_type === 'display_data').at(-1)
  );
}

describe.each(kernels)('notebooks under %s from a folder outside the workspace', (kernel) => {
  let nb: NotebookFolder;
  beforeAll(async () => {
    await buildPackages();
    nb = await outsideNotebookFolder();
  }, 600_000);

  it(
    `loses no value, display, progress table or error in ${RUNS} headless executions`,
    async () => {
      writeNotebook(
        join(nb.folder, 'every-value.ipynb'),
        kernel,
        everyValue.map((c) => c.code),
      );
      const missing: string[] = [];
      for (let run = 1; run <= RUNS; run++) {
        const { exitCode, cells } = await executeNotebook(nb, kernel, 'every-value.ipynb');
        expect(exitCode).toBe(0);
        everyValue.forEach((spec, i) => {
          for (const [where, pattern] of spec.expect) {
            const output = where === 'result' ? valueOutput(cells[i]!) : cells[i]!.outputs.find((o) => o.output_type === where);
            if (!pattern.test(mime(output, 'text/html'))) missing.push(`run ${run}, cell ${i}: ${where} ${pattern}`);
          }
          for (const o of cells[i]!.outputs) {
            if (mime(o, 'text/html')) expect(mime(o, 'text/plain').trim(), `cell ${i}: text/plain beside text/html`).not.toBe('');
            expect(mime(o, 'text/plain')).not.toContain('[object Object]');
          }
        });
        // Every cell after the helper's import carries its execution count (tslab's own protocol has none).
        expect(cells.slice(1).map((c) => c.execution_count)).toEqual(cells.slice(1).map((_, i) => i + 2));
      }
      expect(missing).toEqual([]);
    },
    RUNS * 240_000,
  );

  it('runs the alignment QC notebook: progress, flagstat table, FastQC summary and report, a failing sample as a short error', async () => {
    copyFileSync(join(repoRoot, 'examples', 'notebooks', `qc-report-${kernel}.ipynb`), join(nb.folder, `qc-report-${kernel}.ipynb`));
    const { exitCode, cells } = await executeNotebook(nb, kernel, `qc-report-${kernel}.ipynb`);
    expect(exitCode).toBe(0);
    expect(
      mime(
        cells[1]!.outputs.find((o) => o.output_type === 'display_data'),
        'text/html',
      ),
    ).toMatch(/alignment: 3\/3 done, 0 running, 0 queued/);
    expect(cells[1]!.outputs.filter((o) => o.output_type === 'display_data')).toHaveLength(1);
    const flagstat = valueOutput(cells[2]!);
    expect(mime(flagstat, 'text/plain')).toMatch(/^sample +primary +mapped +properlyPaired +mappedPercent\ns1 +600 +\d+/);
    expect(mime(valueOutput(cells[3]!), 'text/html')).toMatch(/<th>s1_R1\.fq<\/th><td>(PASS|WARN|FAIL)<\/td>/);
    expect(mime(valueOutput(cells[4]!), 'text/html')).toMatch(/^<iframe title="s1_R1_fastqc\.html" srcdoc="&lt;html&gt;/);
    const progress = mime(
      cells[5]!.outputs.find((o) => o.output_type === 'display_data'),
      'text/plain',
    );
    expect(progress).toMatch(/flagstat: 3\/4 done, 0 running, 0 queued, 1 failed[^\n]*\n {2}✗ broken: Command failed with exit code 1: samtools/);
    const outcomes = mime(valueOutput(cells[5]!), 'text/plain');
    expect(outcomes).toMatch(/^3 succeeded, 1 failed/);
    expect(outcomes.split('\n').length).toBeLessThan(8);
  }, 900_000);

  it('fails the nbconvert run on an uncaught tool failure, naming it in a few lines; with --allow-errors the next cells still run', async () => {
    const cells = [setup, 'await runTool(images.busybox, ["sh", "-c", "echo broken input >&2; exit 3"]);', 'console.log("next cell ran");'];
    writeNotebook(join(nb.folder, 'uncaught.ipynb'), kernel, cells);
    const failing = await executeNotebook(nb, kernel, 'uncaught.ipynb');
    expect(failing.exitCode).not.toBe(0);
    expect(failing.stderr).toMatch(/ToolError: Command failed with exit code 3: sh/);
    expect(failing.stderr).not.toMatch(/<Error>:/);

    const allowed = await executeNotebook(nb, kernel, 'uncaught.ipynb', ['--allow-errors']);
    const error = allowed.cells[1]!.outputs.find((o) => o.output_type === 'error');
    expect(error?.ename).toBe('ToolError');
    const printed = allowed.cells[1]!.outputs.map((o) => (o.text ?? []).join('') + (o.traceback ?? [o.evalue ?? '']).join('\n')).join('\n');
    expect(printed).toContain('broken input');
    expect(printed.split('\n').length).toBeLessThan(15);
    expect((allowed.cells[2]!.outputs.find((o) => o.output_type === 'stream')?.text ?? []).join('')).toBe('next cell ran\n');
  }, 600_000);
});
