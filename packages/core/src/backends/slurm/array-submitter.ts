import { join } from 'node:path';
import { slurmCommand, SlurmCommandError } from './slurm-cli.js';
import { writeAtomically, type Spool } from './spool.js';

/** Runs that start within this window and need the same resources go in one job array. */
const BATCH_WINDOW_MS = 25;
/** Answers of a busy controller or a site's submit limit: wait and submit again. */
const RETRYABLE = /MaxSubmitJob|Job violates accounting\/QOS policy|temporarily unavailable|Socket timed out|try again/i;
const RETRY_DELAYS_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

interface Pending {
  taskDir: string;
  resolve(jobId: string): void;
  reject(error: unknown): void;
}

/**
 * Submits runs the way Slurm sites expect: not one `sbatch` per run but one job array per burst
 * of runs with the same resource flags (a fan-out's first wave is one submission), at most
 * `MaxArraySize` elements each, retried when the site's submit limit or a busy controller says so.
 * Each element's id is `<array job id>_<index>`.
 */
export class ArraySubmitter {
  private readonly queues = new Map<string, Pending[]>();
  private maxArraySize: Promise<number> | undefined;

  constructor(
    private readonly spool: Spool,
    private readonly jobName: string,
    private readonly comment: string,
  ) {}

  /** Queues a task directory under `flags`; resolves with its job id once submitted. */
  submit(flags: readonly string[], taskDir: string): Promise<string> {
    const key = JSON.stringify(flags);
    return new Promise((resolve, reject) => {
      let queue = this.queues.get(key);
      if (!queue) {
        queue = [];
        this.queues.set(key, queue);
        setTimeout(() => void this.flush(key, flags), BATCH_WINDOW_MS);
      }
      queue.push({ taskDir, resolve, reject });
    });
  }

  private async flush(key: string, flags: readonly string[]): Promise<void> {
    const queue = this.queues.get(key) ?? [];
    this.queues.delete(key);
    const max = await this.arrayLimit();
    for (let start = 0; start < queue.length; start += max) {
      const batch = queue.slice(start, start + max);
      try {
        const arrayId = await this.submitArray(
          flags,
          batch.map((p) => p.taskDir),
        );
        batch.forEach((pending, index) => pending.resolve(`${arrayId}_${index}`));
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
  }

  /**
   * One `sbatch --array=0-N[%throttle]` whose element i runs `taskDirs[i]`; resolves with the
   * array job id. With a throttle, Slurm itself starts the next element when one ends.
   */
  async submitArray(flags: readonly string[], taskDirs: string[], throttle?: number): Promise<string> {
    const batchDir = this.spool.newDir('submit');
    const tasksFile = join(batchDir, 'tasks');
    writeAtomically(tasksFile, taskDirs.map((dir) => `${dir}\n`).join(''));
    const args = [
      '--parsable',
      `--array=0-${taskDirs.length - 1}${throttle !== undefined && throttle < taskDirs.length ? `%${throttle}` : ''}`,
      `--job-name=${this.jobName}`,
      `--comment=${this.comment}`,
      `--chdir=${batchDir}`,
      `--output=${join(batchDir, 'job-%a.log')}`,
      ...flags,
      this.spool.script(),
      tasksFile,
    ];
    for (let attempt = 0; ; attempt++) {
      try {
        const out = await slurmCommand('sbatch', args);
        return out.trim().split(';')[0]!;
      } catch (error) {
        const delay = RETRY_DELAYS_MS[attempt];
        if (!(error instanceof SlurmCommandError) || !RETRYABLE.test(error.stderr) || delay === undefined) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** `MaxArraySize` from `scontrol show config` (Slurm's default, 1001, if it cannot be read). */
  arrayLimit(): Promise<number> {
    this.maxArraySize ??= slurmCommand('scontrol', ['show', 'config'])
      .then(
        (text) => Number(/^MaxArraySize\s*=\s*(\d+)/m.exec(text)?.[1] ?? 1001),
        () => 1001,
      )
      .then((n) => Math.max(1, n));
    return this.maxArraySize;
  }
}
