import { bounded } from '../../lifecycle/bounded.js';
import { slurmCommand, SlurmCommandError } from './slurm-cli.js';

/** Kills asked for within this window go out as one `scancel` call. */
const BATCH_WINDOW_MS = 20;

/**
 * `scancel` for many runs without one process per run: a canceled fan-out's job arrays are
 * cancelled by their array ids in one call ({@link cancelArrays}), and the kill each run asks for
 * afterwards waits for that call instead of repeating it; single kills arriving together share
 * one `scancel <id> <id> …`.
 */
export class JobCanceller {
  /** Array job id → the `scancel` that ends all its elements. */
  private readonly arrays = new Map<string, Promise<void>>();
  private batch: { ids: string[]; done: Promise<void> } | undefined;

  /** Cancels whole job arrays (every element, queued or running) or allocations (every step) in one call. */
  cancelArrays(arrayIds: Iterable<string>): Promise<void> {
    const fresh = [...arrayIds].filter((id) => !this.arrays.has(id));
    if (fresh.length > 0) {
      const done = scancel(fresh);
      done.catch(() => {});
      for (const id of fresh) this.arrays.set(id, done);
    }
    return Promise.all([...arrayIds].map((id) => this.arrays.get(id))).then(() => {});
  }

  /**
   * Cancels one job (`<array>_<index>`) or job step (`<allocation>.<step>`), unless its whole
   * array or allocation is being cancelled already.
   */
  cancel(jobId: string, signal: AbortSignal): Promise<void> {
    const arrayDone = this.arrays.get(jobId.split(/[_.]/)[0]!);
    return bounded(arrayDone ?? this.queue(jobId), signal, 'cancelling the Slurm job');
  }

  private queue(jobId: string): Promise<void> {
    if (!this.batch) {
      const ids: string[] = [];
      const done = new Promise<void>((resolve) => setTimeout(resolve, BATCH_WINDOW_MS)).then(() => {
        this.batch = undefined;
        return scancel(ids);
      });
      done.catch(() => {});
      this.batch = { ids, done };
    }
    this.batch.ids.push(jobId);
    return this.batch.done;
  }
}

const ALREADY_ENDED = /already completing or completed|Invalid job id specified/i;

/** One `scancel` for many ids; ids of jobs that ended meanwhile are not a failure. */
async function scancel(ids: readonly string[]): Promise<void> {
  try {
    await slurmCommand('scancel', ids);
  } catch (error) {
    const lines = error instanceof SlurmCommandError ? error.stderr.split('\n').filter((l) => l.trim()) : [];
    if (lines.length === 0 || !lines.every((l) => ALREADY_ENDED.test(l))) throw error;
  }
}
