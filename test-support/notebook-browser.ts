import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePort } from './free-port.js';

/**
 * The classic Jupyter Notebook (Debian's jupyter-notebook) on 127.0.0.1 and headless Chromium
 * (Debian's /usr/bin/chromium) driven by playwright-core: what a person uses, started by the
 * test and stopped after it. scripts/browser-setup.sh installs both; a missing one fails.
 */
export interface NotebookBrowser {
  url: string;
  page: Page;
  /** Requests the page tried to send off this machine (all blocked). */
  blocked: string[];
  /** What the Notebook server printed so far (kernel starts, restarts, deaths): for failure messages. */
  serverLog(): string;
  close(): Promise<void>;
}

const CHROMIUM = '/usr/bin/chromium';

/**
 * A kernels dir for JUPYTER_PATH with this checkout's tslab and Deno: the kernelspecs in
 * ~/.local/share/jupyter belong to whichever checkout ran scripts/jupyter-setup.sh last.
 */
export function checkoutKernels(repoRoot: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tooldock-kernels-'));
  const spec = (name: string, argv: string[], display: string, env?: Record<string, string>) => {
    mkdirSync(join(dir, 'kernels', name), { recursive: true });
    writeFileSync(join(dir, 'kernels', name, 'kernel.json'), JSON.stringify({ argv, language: 'typescript', display_name: display, env }));
  };
  // As scripts/jupyter-setup.sh registers it: tslab exits when its ports were taken (the guard says why).
  const guard = { NODE_OPTIONS: `--require ${join(repoRoot, 'scripts', 'tslab-bind-guard.cjs')}` };
  spec('tslab', [join(repoRoot, 'node_modules', '.bin', 'tslab'), 'kernel', '--config-path', '{connection_file}'], 'TypeScript (tslab)', guard);
  spec('deno', [realpathSync(join(repoRoot, 'node_modules', 'deno', 'deno')), 'jupyter', '--kernel', '--conn', '{connection_file}'], 'Deno');
  return dir;
}

export async function startNotebookBrowser(root: string, env: NodeJS.ProcessEnv): Promise<NotebookBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run bash scripts/browser-setup.sh (npm test does)`);
  const port = await freePort();
  const server = spawn(
    'jupyter-notebook',
    [
      '--no-browser',
      '--ip=127.0.0.1',
      `--port=${port}`,
      '--port-retries=0',
      '--allow-root',
      "--NotebookApp.token=''",
      "--NotebookApp.password=''",
      `--notebook-dir=${root}`,
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  server.stdout!.on('data', (d: Buffer) => {
    log += d.toString();
  });
  server.stderr!.on('data', (d: Buffer) => {
    log += d.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => (await fetch(`${url}/api`).catch(() => undefined))?.ok === true,
    30_000,
    () => `jupyter-notebook did not answer on ${url}:\n${log}`,
  );
  try {
    const browser = await launchBrowser();
    return {
      ...browser,
      url,
      serverLog: () => log,
      close: async () => {
        await browser.close();
        await stop(server);
      },
    };
  } catch (error) {
    await stop(server);
    throw error;
  }
}

/** Headless Chromium with one page, every request off the loopback address blocked (and listed). */
export async function launchBrowser(): Promise<Omit<NotebookBrowser, 'url' | 'serverLog'>> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run bash scripts/browser-setup.sh (npm test does)`);
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const blocked: string[] = [];
    // Nothing leaves the machine: MathJax, fonts and the rest come from the local server.
    await context.route('**/*', (route) => {
      const host = new URL(route.request().url()).hostname;
      if (host === '127.0.0.1' || host === 'localhost') return route.continue();
      blocked.push(route.request().url());
      return route.abort();
    });
    const page = await context.newPage();
    const opened = browser;
    return { page, blocked, close: () => opened.close() };
  } catch (error) {
    await browser?.close();
    throw error;
  }
}

async function stop(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
  if (server.exitCode === null) server.kill('SIGKILL');
}

export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, message: () => string | Promise<string>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(await message());
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
