import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './built-packages.js';
import { tempDir } from './temp-dir.js';
import { notebookImageEnv } from './test-images.js';

const run = promisify(execFile);

/** One output of an executed cell, as nbformat stores it. */
export interface NotebookOutput {
  output_type: string;
  name?: string;
  text?: string[];
  data?: Record<string, string[] | string>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}
export interface ExecutedCell {
  execution_count: number | null;
  outputs: NotebookOutput[];
}

/** A notebook folder outside the workspace, set up as the docs say, and the env that runs its kernels. */
export interface NotebookFolder {
  folder: string;
  env: NodeJS.ProcessEnv;
}

/**
 * What a user does: `tooldock init <folder>` from a checkout (packs and installs the packages),
 * tslab installed globally as its README says (`npm install -g tslab`, here into a private
 * prefix) with its kernelspec written by hand (`tslab install` needs IPython, which Debian's
 * Jupyter lacks), and Deno's kernel as `deno jupyter --install` registered it.
 */
export async function outsideNotebookFolder(): Promise<NotebookFolder> {
  const folder = tempDir('notebooks-outside');
  await run(process.execPath, [join(repoRoot, 'packages/core/dist/bin/tooldock.js'), 'init', folder], { maxBuffer: 16 * 1024 * 1024 });
  const { devDependencies } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const prefix = join(folder, '.global');
  await run('npm', [
    'install',
    '-g',
    '--prefix',
    prefix,
    '--prefer-offline',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
    `tslab@${devDependencies.tslab}`,
  ]);
  const kernels = join(folder, '.jupyter');
  mkdirSync(join(kernels, 'kernels', 'tslab'), { recursive: true });
  writeFileSync(
    join(kernels, 'kernels', 'tslab', 'kernel.json'),
    JSON.stringify({
      argv: [join(prefix, 'bin', 'tslab'), 'kernel', '--config-path', '{connection_file}'],
      language: 'typescript',
      display_name: 'TypeScript (tslab)',
    }),
  );
  // No NODE_PATH: the workspace's tslab wrapper sets one; a user's kernel has none.
  const { NODE_PATH: _unused, ...env } = process.env;
  return {
    folder,
    env: { ...env, JUPYTER_PATH: kernels, ...notebookImageEnv(), TOOLDOCK_TEST_IMAGES: join(repoRoot, '.cache', 'test-images.json'), NO_COLOR: '1' },
  };
}

/** Writes a notebook of code cells for `kernel`. */
export function writeNotebook(file: string, kernel: 'tslab' | 'deno', cells: string[]): void {
  const displayName = kernel === 'tslab' ? 'TypeScript (tslab)' : 'Deno';
  writeFileSync(
    file,
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: kernel, display_name: displayName, language: 'typescript' } },
      cells: cells.map((source, i) => ({ cell_type: 'code', id: `c${i}`, metadata: {}, execution_count: null, outputs: [], source })),
    }),
  );
}

/** Runs a notebook headless with nbconvert; the exit code, nbconvert's stderr, and the code cells. */
export async function executeNotebook(
  nb: NotebookFolder,
  kernel: string,
  notebook: string,
  extra: string[] = [],
): Promise<{ exitCode: number; stderr: string; cells: ExecutedCell[] }> {
  const out = `${notebook.replace(/\.ipynb$/, '')}-out-${Date.now()}.ipynb`;
  let exitCode = 0;
  let stderr = '';
  try {
    ({ stderr } = await run(
      'jupyter',
      [
        'nbconvert',
        '--to',
        'notebook',
        '--execute',
        `--ExecutePreprocessor.kernel_name=${kernel}`,
        '--ExecutePreprocessor.timeout=600',
        ...extra,
        notebook,
        '--output',
        out,
      ],
      { cwd: nb.folder, env: nb.env, maxBuffer: 64 * 1024 * 1024 },
    ));
  } catch (error) {
    const e = error as { code?: number; stderr?: string };
    exitCode = typeof e.code === 'number' ? e.code : 1;
    stderr = e.stderr ?? '';
    if (exitCode !== 0 && !/CellExecutionError/.test(stderr)) throw error;
    return { exitCode, stderr, cells: [] };
  }
  const cells = (JSON.parse(readFileSync(join(nb.folder, out), 'utf8')) as { cells: Array<ExecutedCell & { cell_type: string }> }).cells;
  return { exitCode, stderr, cells: cells.filter((c) => c.cell_type === 'code') };
}

/** The text of one MIME type of an output. */
export function mime(output: NotebookOutput | undefined, type: string): string {
  const value = output?.data?.[type];
  return Array.isArray(value) ? value.join('') : (value ?? '');
}
