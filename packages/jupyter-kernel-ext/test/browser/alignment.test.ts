import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samtools } from '@tooldock/recipes';
import { buildPackages } from '#test-support/built-packages.js';
import { waitFor, type NotebookBrowser } from '#test-support/notebook-browser.js';
import { containersUsing, exampleCopies, notebookPage, runAllAligning, startExampleNotebooks } from '#test-support/notebook-page.js';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

// The alignment example as a person runs it: Run All in the classic Notebook front end (headless
// Chromium), real bwa and samtools in tool containers, and what the page then shows.
const kernels = ['tslab', 'deno'] as const;
let copies: ReturnType<typeof exampleCopies>;
beforeAll(async () => {
  await buildPackages();
  copies = exampleCopies(
    'alignment',
    kernels.map((k) => `alignment-${k}.ipynb`),
  );
}, 120_000);
afterAll(() => copies?.remove());

/** The summary line the notebook prints for a sample, from `samtools flagstat` run here on its BAM. */
async function expectedSummary(dataDir: string, sample: string): Promise<{ line: string; primary: number; mappedPercent: number }> {
  const { passed } = await samtools.flagstat({ input: join(dataDir, sample, `${sample}.bam`), image: testImages().bio });
  const percent = (n: number) => ((100 * n) / passed.primary).toFixed(1);
  return {
    line: `${sample}: ${passed.primary} reads, ${percent(passed.mapped)}% mapped, ${percent(passed.properlyPaired)}% properly paired`,
    primary: passed.primary,
    mappedPercent: Number(percent(passed.mapped)),
  };
}

describe.each(kernels)('the alignment notebook in a browser, %s kernel', (kernel) => {
  let nb: NotebookBrowser;
  let dir: string;
  const ui = notebookPage(() => nb.page, kernel);
  const samples = ['s1', 's2', 's3'];
  /** The progress table's rows as shown, without its header. */
  const progressRows = async (cell: number) => (await ui.cell(cell).locator('.output_area table tr').allInnerTexts()).slice(1);

  beforeAll(async () => {
    // Its own TMPDIR and TOOLDOCK_HOME: the notebook's fixed data folder and its result cache start empty.
    dir = tempDir(`browser-alignment-${kernel}`);
    nb = await startExampleNotebooks(dir);
    await ui.open(`${nb.url}/notebooks/${copies.folder}/alignment-${kernel}.ipynb`, () => nb.serverLog());
  }, 120_000);
  afterAll(async () => {
    await nb?.close();
  });

  it('Run All: a live progress table, then its final state and mapping rates that samtools flagstat confirms', async () => {
    const [setup, align, summary] = await ui.codeCells();
    expect(await ui.mathJaxLoaded()).toBe(true);
    await runAllAligning(ui, align!, summary!);
    // Deno's kernel may report a cell idle a moment before its output lands: wait for what a person sees.
    await waitFor(
      async () => (await ui.outputText(summary!)).trim().split('\n').length === 3,
      10_000,
      async () => `the summary: ${JSON.stringify(await ui.outputText(summary!))}`,
    );
    expect(await ui.problems()).toEqual([]);

    const dataDir = /data in (\S+)/.exec(await ui.outputText(setup!))?.[1];
    expect(dataDir).toBe(join(dir, 'tooldock-alignment'));

    // One table, redrawn in place to its final state: every sample aligned, none from the cache.
    expect(await ui.outputCount(align!)).toBe(1);
    expect(await ui.outputText(align!)).toMatch(/alignment: 3\/3 done, 0 running, 0 queued — [\d.]+ s/);
    const rows = await progressRows(align!);
    expect(rows).toHaveLength(3);
    for (const [i, sample] of samples.entries()) expect(rows[i]).toMatch(new RegExp(`^${i + 1}\\t${sample}\\tdone\\t`));

    // The numbers shown are bwa's: samtools flagstat, run here on the notebook's BAMs, says the same.
    const shown = (await ui.outputText(summary!)).trim().split('\n');
    for (const [i, sample] of samples.entries()) {
      const expected = await expectedSummary(dataDir!, sample);
      expect(shown[i]).toBe(expected.line);
      expect(expected.primary).toBe(600);
      expect(expected.mappedPercent).toBeGreaterThanOrEqual(95);
    }

    expect(await ui.typesetInOutputs()).toBe(0);
    expect(await containersUsing(dir)).toEqual([]);
    await ui.shootNotebook('alignment');
  }, 360_000);

  it('Run All again: every sample comes from the result cache, the same numbers, no container left', async () => {
    const [, align, summary] = await ui.codeCells();
    const before = await ui.outputText(summary!);
    await ui.runAll();
    await waitFor(
      () => ui.finished(summary!),
      120_000,
      async () => `the second run did not finish: ${JSON.stringify(await ui.outputText(align!))}`,
    );
    await waitFor(
      async () => (await ui.outputText(summary!)).trim().split('\n').length === 3,
      10_000,
      async () => `the summary: ${JSON.stringify(await ui.outputText(summary!))}`,
    );
    expect(await ui.problems()).toEqual([]);
    expect(await ui.outputText(align!)).toMatch(/alignment: 3\/3 done, 0 running, 0 queued, 3 cached — [\d.]+ s/);
    const rows = await progressRows(align!);
    for (const [i, sample] of samples.entries()) expect(rows[i]).toMatch(new RegExp(`^${i + 1}\\t${sample}\\tdone \\(cached\\)\\t`));
    expect(await ui.outputText(summary!)).toBe(before);
    expect(await containersUsing(dir)).toEqual([]);
    await ui.shoot(align!, 'alignment-cached');
  }, 180_000);

  it('sent nothing off this machine', () => {
    expect(nb.blocked).toEqual([]);
  });
});
