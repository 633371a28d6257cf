import { spawn } from 'node:child_process';
import { bounded } from '../../lifecycle/bounded.js';

/** What a finished helper command (docker CLI, ch-convert, apptainer) said. */
export interface CommandOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a helper command to its end, bounded by `signal` (the command's process group is killed
 * then: ch-convert starts docker/tar children). `onLine` sees stdout lines as they come (progress).
 */
export function runCommand(
  argv: string[],
  signal: AbortSignal,
  during: string,
  options: { env?: NodeJS.ProcessEnv; onLine?: (line: string) => void } = {},
): Promise<CommandOutcome> {
  const child = spawn(argv[0]!, argv.slice(1), { env: options.env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
    if (!options.onLine) return;
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) options.onLine(line.trim());
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-16_384)));
  const done = new Promise<CommandOutcome>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, sig) => resolve({ code: code ?? 128 + (sig === 'SIGKILL' ? 9 : 15), stdout, stderr }));
  });
  const kill = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  signal.addEventListener('abort', kill, { once: true });
  void done.finally(() => signal.removeEventListener('abort', kill)).catch(() => {});
  return bounded(done, signal, during);
}
