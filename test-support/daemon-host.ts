import { execFile, execSync } from 'node:child_process';
import { promisify } from 'node:util';

/** Polls `docker -H host version` until the daemon answers; false when `withinMs` passed first. */
export async function daemonAnswers(host: string, withinMs: number): Promise<boolean> {
  const started = Date.now();
  while (Date.now() - started < withinMs) {
    try {
      await promisify(execFile)('docker', ['-H', host, 'version', '--format', '{{.Server.Version}}']);
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return false;
}

/** Copies an image from the shared daemon into the daemon at `host` (no registry here). */
export function loadImageInto(host: string, tag: string): void {
  execSync(`docker save ${tag} | docker -H ${host} load -q`, { stdio: 'ignore', shell: '/bin/bash' });
}
