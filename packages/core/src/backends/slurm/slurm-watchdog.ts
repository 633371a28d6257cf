import { spawn } from 'node:child_process';

/**
 * Runs with `node -e` in a detached process that outlives us: when its stdin (a pipe from us)
 * closes — we exited or were killed, even by SIGKILL — it cancels every job of our session (by
 * job name), again two seconds later (a submission that was in flight), then removes our spool
 * directory. The jobs' scripts remove their containers when Slurm signals them.
 */
const WATCHDOG_SCRIPT = `
const { execFile } = require('node:child_process');
const { rmSync } = require('node:fs');
const [jobName, spoolDir] = process.argv.slice(1);
const cancel = (done) => execFile('scancel', ['--name=' + jobName], () => done && done());
process.on('SIGINT', () => {});
process.on('SIGHUP', () => {});
process.stdin.on('data', () => {});
process.stdin.on('close', () => {
  cancel();
  setTimeout(() => cancel(() => {
    setTimeout(() => { try { rmSync(spoolDir, { recursive: true, force: true }); } catch {} process.exit(0); }, 5000);
  }), 2000);
});
`;

/** Starts the session's Slurm watchdog (once per job name). */
export function startSlurmWatchdog(jobName: string, spoolDir: string): void {
  const child = spawn(process.execPath, ['-e', WATCHDOG_SCRIPT, jobName, spoolDir], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  child.on('error', (error) => process.emitWarning(`tooldock: could not start the Slurm job watchdog: ${error.message}`));
  // Neither the child nor its pipe may keep this process alive.
  child.unref();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  child.stdin?.on('error', () => {});
}
