import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const script = fileURLToPath(new URL('../packages/jupyter-kernel-ext/test/engine/fixtures/run_notebook.py', import.meta.url));

/** The Python that runs Jupyter here (its nbclient and nbconvert): the `jupyter` command's own interpreter. */
function jupyterPython(): string {
  const jupyter = execFileSync('sh', ['-c', 'command -v jupyter'], { encoding: 'utf8' }).trim();
  return /^#!\s*(\S+)/.exec(readFileSync(jupyter, 'utf8').split('\n')[0]!)?.[1] ?? 'python3';
}

/**
 * Executes `notebook` (relative to `cwd`) under `kernel` into `output`, as
 * `jupyter nbconvert --to notebook --execute` does but keeping outputs that trail a cell's idle
 * status (Deno's kernel; fixtures/run_notebook.py says why).
 */
export async function runNotebook(
  notebook: string,
  kernel: string,
  output: string,
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutSeconds: number; allowErrors?: boolean },
): Promise<void> {
  await promisify(execFile)(
    jupyterPython(),
    [script, notebook, kernel, output, String(options.timeoutSeconds), ...(options.allowErrors ? ['--allow-errors'] : [])],
    { cwd: options.cwd, env: options.env, maxBuffer: 64 * 1024 * 1024 },
  );
}
