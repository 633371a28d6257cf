import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import { connect } from '@tooldock/core';
import { repoRoot } from './built-packages.js';
import { checkoutKernels, startNotebookBrowser, waitFor, type NotebookBrowser } from './notebook-browser.js';
import { notebookImageEnv } from './test-images.js';

/**
 * One example notebook open in the classic Notebook front end (test-support/notebook-browser.ts):
 * its cells run through the page's own API and read back as the page shows them. Shared by the
 * browser tests of every example notebook (packages/jupyter-kernel-ext/test/browser/).
 */

/** Where the browser tests put their screenshots (scripts/screenshots.sh copies them into docs/images/notebooks/). */
export const screenshots = join(repoRoot, '.cache', 'screenshots');
const examples = join(repoRoot, 'examples', 'notebooks');

/** The parts of the classic Notebook's page API the tests use (run inside the page). */
export interface Cell {
  cell_type: string;
  input_prompt_number: unknown;
  output_area: { element: Array<{ innerHTML: string; innerText: string }>; outputs: Array<{ output_type: string; name?: string; text?: string }> };
  set_text(code: string): void;
}
export interface NotebookWindow {
  Jupyter: {
    notebook: {
      get_cells(): Cell[];
      get_cell(index: number): Cell;
      ncells(): number;
      insert_cell_at_bottom(type: string): Cell;
      execute_cells(indices: number[]): void;
      execute_all_cells(): void;
      kernel?: { is_connected(): boolean; restart(): void };
    };
  };
  MathJax?: { Hub?: unknown };
  document: {
    querySelector(selector: string): { classList: { contains(name: string): boolean }; scrollHeight: number } | null;
    querySelectorAll(selector: string): ArrayLike<unknown>;
  };
}

/**
 * Copies example notebooks into a folder of their own inside examples/notebooks (where the
 * kernels find the checkout's packages), so a run's outputs never touch the committed files.
 */
export function exampleCopies(name: string, notebooks: string[]): { folder: string; remove(): void } {
  const folder = `browser-run-${name}-${process.pid}`;
  mkdirSync(join(examples, folder));
  for (const notebook of notebooks) copyFileSync(join(examples, notebook), join(examples, folder, notebook));
  mkdirSync(screenshots, { recursive: true });
  return { folder, remove: () => rmSync(join(examples, folder), { recursive: true, force: true }) };
}

/**
 * The Notebook server on examples/notebooks with this checkout's kernels, the tool images the
 * tests build, and, given `dir`, a TMPDIR and TOOLDOCK_HOME (result cache) of its own for the
 * kernels: a notebook's data folder and cache then belong to this run alone.
 */
export async function startExampleNotebooks(dir?: string): Promise<NotebookBrowser> {
  const kernels = checkoutKernels(repoRoot);
  const own = dir ? { TMPDIR: dir, TOOLDOCK_HOME: join(dir, 'home') } : {};
  try {
    const nb = await startNotebookBrowser(examples, { ...process.env, ...notebookImageEnv(), ...own, JUPYTER_PATH: kernels, NO_COLOR: '1' });
    return {
      ...nb,
      close: async () => {
        await nb.close();
        rmSync(kernels, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(kernels, { recursive: true, force: true });
    throw error;
  }
}

export interface NotebookPage {
  /** Opens the notebook and waits until its kernel is connected and idle. */
  /** Opens the notebook and waits for its kernel; `serverLog` goes into the message if it never comes. */
  open(url: string, serverLog: () => string): Promise<void>;
  /** Indices (among all cells) of the code cells, in order. */
  codeCells(): Promise<number[]>;
  runAll(): Promise<void>;
  /** The cell ran to its end (its prompt has a number). */
  finished(index: number): Promise<boolean>;
  outputHtml(index: number): Promise<string>;
  outputText(index: number): Promise<string>;
  outputCount(index: number): Promise<number>;
  /** The cell as shown (input and output). */
  cell(index: number): Locator;
  appendAndRun(code: string): Promise<number>;
  kernelIdle(): Promise<boolean>;
  /** What a person would read as a failure: error outputs and stderr streams, with their cell. */
  problems(): Promise<string[]>;
  /** Elements MathJax typeset inside outputs (a `$` in a command shown as maths). */
  typesetInOutputs(): Promise<number>;
  /** MathJax is loaded on the page: without it, "nothing typeset" would prove nothing. */
  mathJaxLoaded(): Promise<boolean>;
  /** A screenshot of one cell, `<name>-<kernel>.png`. */
  shoot(index: number, name: string): Promise<void>;
  /** A screenshot of the whole notebook as it stands, `<name>-<kernel>.png`. */
  shootNotebook(name: string): Promise<void>;
}

/**
 * Run All on an example notebook that aligns three samples, then waits (bounded) for what a person
 * watches: the live progress table in cell `progress` while it runs, then cell `last` finished.
 */
export async function runAllAligning(ui: NotebookPage, progress: number, last: number): Promise<void> {
  await ui.runAll();
  await waitFor(
    async () => /alignment: [0-2]\/3 done, [12] running/.test(await ui.outputText(progress)),
    120_000,
    async () => `no live progress table appeared: ${JSON.stringify(await ui.outputText(progress))}`,
  );
  await waitFor(
    () => ui.finished(last),
    300_000,
    async () => `the notebook did not finish: ${JSON.stringify(await ui.outputText(progress))} … ${JSON.stringify(await ui.outputText(last))}`,
  );
}

/** `page` is read on each call: the page may be opened after the helper is made (in a beforeAll). */
export function notebookPage(page: () => Page, kernel: string): NotebookPage {
  const kernelIdle = () =>
    page().evaluate(
      () =>
        (globalThis as unknown as NotebookWindow).document.querySelector('#kernel_indicator_icon')?.classList.contains('kernel_idle_icon') === true,
    );
  const cell = (index: number) => page().locator('#notebook-container > .cell').nth(index);
  return {
    async open(url, serverLog) {
      await page().goto(url);
      await waitFor(
        async () =>
          (await page().evaluate(() => (globalThis as unknown as NotebookWindow).Jupyter?.notebook?.kernel?.is_connected() === true)) &&
          (await kernelIdle()),
        60_000,
        async () => {
          const status = await page()
            .locator('#notification_kernel, #kernel_indicator')
            .allInnerTexts()
            .catch(() => []);
          return `the ${kernel} kernel did not start (page: ${JSON.stringify(status)}); the server's last lines:\n${serverLog().split('\n').slice(-40).join('\n')}`;
        },
      );
    },
    codeCells: () =>
      page().evaluate(() =>
        (globalThis as unknown as NotebookWindow).Jupyter.notebook.get_cells().flatMap((c: Cell, i: number) => (c.cell_type === 'code' ? [i] : [])),
      ),
    runAll: () => page().evaluate(() => (globalThis as unknown as NotebookWindow).Jupyter.notebook.execute_all_cells()),
    finished: (index) =>
      page().evaluate((i) => typeof (globalThis as unknown as NotebookWindow).Jupyter.notebook.get_cell(i).input_prompt_number === 'number', index),
    outputHtml: (index) =>
      page().evaluate((i) => (globalThis as unknown as NotebookWindow).Jupyter.notebook.get_cell(i).output_area.element[0]!.innerHTML, index),
    outputText: (index) =>
      page().evaluate((i) => (globalThis as unknown as NotebookWindow).Jupyter.notebook.get_cell(i).output_area.element[0]!.innerText, index),
    outputCount: (index) =>
      page().evaluate((i) => (globalThis as unknown as NotebookWindow).Jupyter.notebook.get_cell(i).output_area.outputs.length, index),
    cell,
    appendAndRun: (code) =>
      page().evaluate((code) => {
        const n = (globalThis as unknown as NotebookWindow).Jupyter.notebook;
        const added = n.insert_cell_at_bottom('code');
        added.set_text(code);
        n.execute_cells([n.ncells() - 1]);
        return n.ncells() - 1;
      }, code),
    kernelIdle,
    problems: async () => [
      ...(await page().evaluate(() =>
        (globalThis as unknown as NotebookWindow).Jupyter.notebook
          .get_cells()
          .flatMap((c: Cell, i: number) =>
            c.cell_type === 'code'
              ? c.output_area.outputs
                  .filter((o) => o.output_type === 'error' || (o.output_type === 'stream' && o.name === 'stderr'))
                  .map((o) => `cell ${i}: ${o.output_type} ${JSON.stringify(o)}`)
              : [],
          ),
      )),
      // The same as the page draws it (an output the model lost would still show here).
      ...(await page().locator('#notebook-container .output_error, #notebook-container .output_stderr').allInnerTexts()).map((t) => `shown: ${t}`),
    ],
    typesetInOutputs: () =>
      page().evaluate(
        () =>
          (globalThis as unknown as NotebookWindow).document.querySelectorAll(
            '.output_area .MathJax, .output_area .MathJax_Display, .output_area .MathJax_Preview, .output_area mjx-container',
          ).length,
      ),
    mathJaxLoaded: () => page().evaluate(() => (globalThis as unknown as NotebookWindow).MathJax?.Hub !== undefined),
    shoot: async (index, name) => {
      await cell(index).screenshot({ path: join(screenshots, `${name}-${kernel}.png`) });
    },
    async shootNotebook(name) {
      // The notebook scrolls inside #site, which is as high as the window: a window as high as
      // the notebook shows all of it; the window's own size comes back after.
      const before = page().viewportSize()!;
      const height = await page().evaluate(() => (globalThis as unknown as NotebookWindow).document.querySelector('#notebook')!.scrollHeight);
      await page().setViewportSize({ width: before.width, height: Math.min(height + 200, 12_000) });
      try {
        await page().waitForTimeout(300); // the front end re-lays #site out on resize
        await page()
          .locator('#notebook-container')
          .screenshot({ path: join(screenshots, `${name}-${kernel}.png`) });
      } finally {
        await page().setViewportSize(before);
      }
    },
  };
}

/**
 * Containers on the daemon, in any state, with a mount from under `dir`: a notebook whose data
 * lives there left them (each kernel labels its containers with a session of its own).
 */
export async function containersUsing(dir: string): Promise<string[]> {
  const all = await connect().docker.listContainers({ all: true, filters: { label: ['tooldock.session'] } });
  return all
    .filter((c) => c.Mounts.some((m) => m.Source === dir || m.Source.startsWith(`${dir}/`)))
    .map((c) => `${c.Id.slice(0, 12)} (${c.Image}: ${c.Command}, ${c.State})`);
}

/** What a FastQC report in a frame shows: its modules and whether the footer covers the module list. */
export interface FastqcView {
  /** The modules' headings in the report's main part. */
  sections: string[];
  /** The summary list's entries. */
  items: number;
  /** The bottom of the list's last entry, scrolled to the end, and the top of the footer. */
  lastBottom: number;
  footerTop: number;
  /** The report's "Filename" in Basic Statistics. */
  filename: string;
  /** Each module's verdict as its heading's icon says it: OK, WARN or FAIL. */
  verdicts: Record<string, string>;
}

interface Box {
  getBoundingClientRect(): { top: number; bottom: number };
  innerText: string;
  querySelector(selector: string): { alt: string } | null;
}
interface ReportWindow {
  document: {
    querySelector(selector: string): (Box & { scrollTop: number; scrollHeight: number; querySelectorAll(selector: string): ArrayLike<Box> }) | null;
    querySelectorAll(selector: string): ArrayLike<Box>;
  };
}

/** Reads a FastQC report shown in `frame` (scrolls its module list to the end). */
export async function fastqcView(frame: Frame): Promise<FastqcView> {
  await frame.waitForSelector('div.footer');
  return frame.evaluate(() => {
    const { document } = globalThis as unknown as ReportWindow;
    const summary = document.querySelector('div.summary')!;
    summary.scrollTop = summary.scrollHeight;
    const items = summary.querySelectorAll('li');
    const cells = Array.from(document.querySelectorAll('div.main table td'));
    const name = cells.findIndex((td) => td.innerText.trim() === 'Filename');
    const headings = Array.from(document.querySelectorAll('div.main div.module h2'));
    return {
      sections: headings.map((h) => h.innerText.trim()),
      verdicts: Object.fromEntries(headings.map((h) => [h.innerText.trim(), (h.querySelector('img')?.alt ?? '').replace(/[[\]]/g, '')])),
      items: items.length,
      lastBottom: items[items.length - 1]!.getBoundingClientRect().bottom,
      footerTop: document.querySelector('div.footer')!.getBoundingClientRect().top,
      filename: name >= 0 ? cells[name + 1]!.innerText.trim() : '',
    };
  });
}
