import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleOf, htmlReport } from '@tooldock/jupyter';
import { samtools } from '@tooldock/recipes';
import { buildPackages, repoRoot } from '#test-support/built-packages.js';
import { launchBrowser, waitFor, type NotebookBrowser } from '#test-support/notebook-browser.js';
import { containersUsing, exampleCopies, fastqcView, notebookPage, runAllAligning, startExampleNotebooks } from '#test-support/notebook-page.js';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

// The QC example as a person runs it: Run All in the classic Notebook front end (headless
// Chromium), real bwa, samtools and FastQC in tool containers, and what the page then shows:
// the flagstat numbers as a table, FastQC's verdicts, its full report inline, a broken sample.
const kernels = ['tslab', 'deno'] as const;
let copies: ReturnType<typeof exampleCopies>;
beforeAll(async () => {
  await buildPackages();
  copies = exampleCopies(
    'qc-report',
    kernels.map((k) => `qc-report-${k}.ipynb`),
  );
}, 120_000);
afterAll(() => copies?.remove());

// FastQC pins its module list and footer to the window; in a frame shorter than the list the
// footer hid the last modules. A real FastQC 0.11.9 report (images emptied) in a 380-px frame.
describe('an inline FastQC report', () => {
  it('shows every module of its list above the footer', async () => {
    const browser = await launchBrowser();
    try {
      const report = htmlReport(join(repoRoot, 'packages/jupyter-kernel-ext/test/browser/fixtures/fastqc-report.html'), { height: 380 });
      await browser.page.setContent(bundleOf(report)['text/html']!);
      const layout = await fastqcView(browser.page.frames()[1]!);
      expect(layout.items).toBeGreaterThanOrEqual(10);
      expect(layout.lastBottom).toBeLessThanOrEqual(layout.footerTop);
      expect(browser.blocked).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

describe.each(kernels)('the qc-report notebook in a browser, %s kernel', (kernel) => {
  let nb: NotebookBrowser;
  let dir: string;
  const ui = notebookPage(() => nb.page, kernel);
  const samples = ['s1', 's2', 's3'];
  /** A table's rows as shown (cells separated by tabs), header first. */
  const rows = (cell: number, table: string) => ui.cell(cell).locator(`.output_area ${table} tr`).allInnerTexts();

  beforeAll(async () => {
    // Its own TMPDIR: the notebook's data folder is made under it, and nothing else writes there.
    dir = tempDir(`browser-qc-${kernel}`);
    nb = await startExampleNotebooks(dir);
    await ui.open(`${nb.url}/notebooks/${copies.folder}/qc-report-${kernel}.ipynb`, () => nb.serverLog());
  }, 120_000);
  afterAll(async () => {
    await nb?.close();
  });

  it('Run All: no error shown, the real flagstat numbers as a table, FastQC inline, the broken sample in its row', async () => {
    const [setup, align, stats, verdicts, report, broken] = await ui.codeCells();
    expect(await ui.mathJaxLoaded()).toBe(true);
    await runAllAligning(ui, align!, broken!);
    // Deno's kernel may report a cell idle a moment before its result lands: wait for what a person sees.
    await waitFor(
      async () => (await ui.outputHtml(broken!)).includes('tooldock-outcomes'),
      10_000,
      async () => `the last cell shows no outcomes: ${JSON.stringify(await ui.outputText(broken!))}`,
    );
    expect(await ui.problems()).toEqual([]);
    const dataDir = /data in (\S+)/.exec(await ui.outputText(setup!))?.[1];
    expect(dataDir?.startsWith(`${dir}/tooldock-qc-`)).toBe(true);

    expect(await ui.outputCount(align!)).toBe(1);
    expect(await ui.outputText(align!)).toMatch(/alignment: 3\/3 done, 0 running, 0 queued — [\d.]+ s/);

    // The flagstat numbers, an HTML table: what samtools flagstat, run here on the same BAMs, says.
    const table = await rows(stats!, 'table.tooldock-data');
    expect(table[0]).toBe('sample\tprimary\tmapped\tproperlyPaired\tmappedPercent');
    expect(table).toHaveLength(4);
    for (const [i, sample] of samples.entries()) {
      const { passed } = await samtools.flagstat({ input: join(dataDir!, `${sample}.bam`), image: testImages().bio });
      const percent = Number(((100 * passed.mapped) / passed.primary).toFixed(1));
      expect(table[i + 1]).toBe(`${sample}\t${passed.primary}\t${passed.mapped}\t${passed.properlyPaired}\t${percent}`);
      expect(passed.primary).toBe(600);
      expect(percent).toBeGreaterThanOrEqual(95);
    }

    // The inline report: FastQC's own page in a frame, its sections, the first sample's file.
    const frame = ui.cell(report!).locator('.output_area iframe');
    expect((await frame.boundingBox())!.height).toBeGreaterThanOrEqual(490);
    const content = await (await frame.elementHandle()).contentFrame();
    expect(content).not.toBeNull();
    const view = await fastqcView(content!);
    expect(view.filename).toBe('s1_R1.fq');
    expect(view.sections).toEqual(
      expect.arrayContaining(['Basic Statistics', 'Per base sequence quality', 'Per sequence GC content', 'Adapter Content']),
    );
    expect(view.sections.length).toBeGreaterThanOrEqual(10);
    expect(view.items).toBe(view.sections.length);
    expect(view.lastBottom).toBeLessThanOrEqual(view.footerTop);

    // FastQC's verdicts per sample as a table; the first sample's row says what its report shows.
    const verdictRows = await rows(verdicts!, 'table.tooldock-data');
    expect(verdictRows).toHaveLength(4);
    const modules = verdictRows[0]!.split('\t').slice(1);
    expect(modules).toEqual(expect.arrayContaining(['Basic Statistics', 'Per base sequence quality']));
    for (const [i, sample] of samples.entries()) expect(verdictRows[i + 1]!.split('\t')[0]).toBe(`${sample}_R1.fq`);
    const s1 = verdictRows[1]!.split('\t').slice(1);
    for (const [j, module] of modules.entries())
      expect(`${module}: ${s1[j]}`).toBe(`${module}: ${{ OK: 'PASS' }[view.verdicts[module]!] ?? view.verdicts[module]}`);

    // The broken sample: the others finish; it is one row with samtools' complaint, not an error output.
    const outcomes = await rows(broken!, '.tooldock-outcomes table');
    expect(await ui.cell(broken!).locator('.tooldock-outcomes b').innerText()).toBe('3 succeeded, 1 failed');
    for (const [i, sample] of samples.entries()) expect(outcomes[i + 1]).toMatch(new RegExp(`^${i + 1}\\t${sample}\\t✓\\t\\t\\t\\t600$`));
    expect(outcomes[4]).toMatch(/^4\tbroken\t✗\tsamtools flagstat \S*broken\.bam\t[1-9]\d*\t\d+ ms\t.+/);
    expect(await ui.outputText(broken!)).toMatch(/flagstat: 3\/4 done, 0 running, 0 queued, 1 failed/);

    expect(await ui.typesetInOutputs()).toBe(0);
    expect(await containersUsing(dir)).toEqual([]);
    await ui.shoot(report!, 'fastqc-report');
    await ui.shootNotebook('qc-report');
  }, 360_000);

  it('sent nothing off this machine', () => {
    expect(nb.blocked).toEqual([]);
  });
});
