import { READ_CONFIG_PRELUDE, startWatchdogProcess } from '../../util/watchdog-process.js';

/**
 * Runs with `node -e` in a detached process that outlives us: when its stdin (a pipe from us)
 * closes — we exited or were killed, even by SIGKILL — it cancels every job of our session (by
 * job name), again two seconds later (a submission that was in flight), then removes our spool
 * directory. The jobs' scripts remove their containers when Slurm signals them.
 */
const WATCHDOG_SCRIPT = `${READ_CONFIG_PRELUDE}
const { execFile } = require('node:child_process');
const { rmSync } = require('node:fs');
let jobName, spoolDir;
readConfig((c) => { jobName = c.jobName; spoolDir = c.spoolDir; });
const cancel = (done) => execFile('scancel', ['--name=' + jobName], () => done && done());
process.on('SIGINT', () => {});
process.on('SIGHUP', () => {});
process.stdin.on('close', () => {
  if (!jobName) process.exit(1);
  cancel();
  setTimeout(() => cancel(() => {
    setTimeout(() => { try { rmSync(spoolDir, { recursive: true, force: true }); } catch {} process.exit(0); }, 5000);
  }), 2000);
});
`;

/** Starts the session's Slurm watchdog (once per job name); like every watchdog, configured through its stdin, not its argv. */
export function startSlurmWatchdog(jobName: string, spoolDir: string): void {
  startWatchdogProcess(WATCHDOG_SCRIPT, { jobName, spoolDir }, 'the Slurm job watchdog');
}
