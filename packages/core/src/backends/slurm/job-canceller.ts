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
  private readonly batches = new Map<string, { ids: string[]; done: Promise<void> }>();

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
    // A step is sent TERM: a plain `scancel <job>.<step>` is an immediate SIGKILL (verified on
    // Slurm 22.05), which would leave the job script no time to remove a container.
    const how = jobId.includes('.') ? ['--signal=TERM'] : [];
    return bounded(arrayDone ?? this.queue(jobId, how), signal, 'cancelling the Slurm job');
  }

  /** The last resort for a step that outlived its TERM: Slurm's SIGKILL. */
  killStep(stepId: string, signal: AbortSignal): Promise<void> {
    return bounded(this.queue(stepId, []), signal, 'killing the Slurm job step');
  }

  private queue(jobId: string, flags: string[]): Promise<void> {
    const key = flags.join(' ');
    let batch = this.batches.get(key);
    if (!batch) {
      const ids: string[] = [];
      const done = new Promise<void>((resolve) => setTimeout(resolve, BATCH_WINDOW_MS)).then(() => {
        this.batches.delete(key);
        return scancel([...flags, ...ids]);
      });
      done.catch(() => {});
      batch = { ids, done };
      this.batches.set(key, batch);
    }
    batch.ids.push(jobId);
    return batch.done;
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
