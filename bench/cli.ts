import { spawn } from 'node:child_process';

/** Runs the docker CLI and resolves with its exit code (stdout to a file descriptor or ignored). */
export function docker(args: string[], stdout: 'ignore' | number = 'ignore'): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { stdio: ['ignore', stdout, 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? -1));
  });
}

/** Runs a shell pipeline and resolves with its exit code. */
export function shell(script: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? -1));
  });
}
