import { spawn } from 'node:child_process';
import { SlurmCommandError, SlurmNotFoundError } from './slurm-cli.js';

/** salloc's own lines on stderr: the id is known as soon as the request is queued. */
const JOB_ID = /(?:Pending|Granted) job allocation (\d+)/;

/**
 * One Slurm allocation held for a fan-out's job steps: `salloc --no-shell` returns once the
 * allocation is granted and leaves no process on any node; the job lives until it is cancelled
 * (here, by the watchdog when this process dies, or by its time limit). Its id is known as soon
 * as salloc prints it — before the grant — so a cancel while it queues reaches it.
 */
export class Allocation {
  /** The allocation's job id, once salloc printed it (pending or granted). */
  jobId: string | undefined;
  /** Resolves with the job id once the allocation is granted. */
  readonly granted: Promise<string>;
  private readonly salloc;

  constructor(flags: readonly string[]) {
    const args = ['--no-shell', ...flags];
    this.salloc = spawn('salloc', args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    this.granted = new Promise((resolve, reject) => {
      this.salloc.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-8_192);
        this.jobId ??= JOB_ID.exec(stderr)?.[1];
      });
      this.salloc.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new SlurmNotFoundError('salloc') : error));
      this.salloc.once('close', (code) => {
        this.jobId ??= JOB_ID.exec(stderr)?.[1];
        if (code === 0 && this.jobId && /Granted job allocation/.test(stderr)) resolve(this.jobId);
        else reject(new SlurmCommandError('salloc', args, stderr, code));
      });
    });
    this.granted.catch(() => {});
  }

  /** Stops waiting for a grant (salloc revokes a queued request when signalled). */
  stopWaiting(): void {
    if (this.salloc.exitCode === null && this.salloc.signalCode === null) this.salloc.kill('SIGTERM');
  }
}
