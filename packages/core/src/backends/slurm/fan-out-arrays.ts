import { AsyncLocalStorage } from 'node:async_hooks';
import type { SlurmEngine } from './slurm-engine.js';

/** After the latest task asked to be submitted, how long to wait for the others (when some are late). */
const ARRIVALS_QUIET_MS = 250;

interface Waiting {
  index: number;
  flags: readonly string[];
  taskDir: string;
  resolve(jobId: string): void;
  reject(error: unknown): void;
}

/** Which fan-out (and which of its tasks) the current run belongs to; follows the run's awaits. */
const membership = new AsyncLocalStorage<{ arrays: FanOutArrays; index: number }>();

/**
 * A `runMany` on a Slurm cluster, submitted up front: every tool task goes into a job array
 * throttled to the fan-out's concurrency (`--array=0-N%C`), so Slurm — not tooldock — starts the
 * next element when a slot frees, and a thousand tasks are a handful of `sbatch` calls. Tasks
 * are submitted once all of them asked (or settled without asking: a cache hit, a failure), or
 * {@link ARRIVALS_QUIET_MS} after the latest asked (a task whose stdin is still being written
 * must not hold up the rest). Elements are in task order, so Slurm starts task 0 first.
 */
export class FanOutArrays {
  private readonly accounted = new Set<number>();
  private readonly arrayIds = new Set<string>();
  private waiting: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;
  private canceled: Promise<void> | undefined;

  constructor(
    private readonly engine: SlurmEngine,
    private readonly concurrency: number,
    private readonly taskCount: number,
  ) {}

  /** Runs task `index` as a member: its job goes into this fan-out's arrays. */
  run<T>(index: number, task: () => Promise<T>): Promise<T> {
    return membership.run({ arrays: this, index }, task).finally(() => this.settled(index));
  }

  /** Queues the task's run directory under its `sbatch` flags; resolves with `<array id>_<element>`. */
  submit(index: number, flags: readonly string[], taskDir: string): Promise<string> {
    if (this.canceled) return Promise.reject(new Error('the fan-out was canceled before this job was submitted'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ index, flags, taskDir, resolve, reject });
      this.accounted.add(index);
      this.schedule();
    });
  }

  /** Ends every element of every array of the fan-out: one `scancel` of the array ids. */
  cancel(): Promise<void> {
    this.canceled ??= this.cancelAll();
    return this.canceled;
  }

  private async cancelAll(): Promise<void> {
    clearTimeout(this.timer);
    for (const waiting of this.waiting.splice(0)) waiting.reject(new Error('the fan-out was canceled before this job was submitted'));
    await this.engine.canceller.cancelArrays(this.arrayIds);
  }

  private settled(index: number): void {
    this.accounted.add(index);
    if (this.waiting.length > 0) this.schedule();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.accounted.size >= this.taskCount) return void this.flush();
    this.timer = setTimeout(() => void this.flush(), ARRIVALS_QUIET_MS);
  }

  private async flush(): Promise<void> {
    clearTimeout(this.timer);
    const batch = this.waiting.splice(0).sort((a, b) => a.index - b.index);
    if (batch.length === 0) return;
    const arrays = splitIntoArrays(batch, await this.engine.submitter.arrayLimit());
    // Slurm throttles each array on its own: their throttles share the fan-out's concurrency.
    const throttle = Math.max(1, Math.floor(this.concurrency / arrays.length));
    await Promise.all(arrays.map((members) => this.submitArray(members, throttle)));
  }

  private async submitArray(members: Waiting[], throttle: number): Promise<void> {
    try {
      const arrayId = await this.engine.submitter.submitArray(
        members[0]!.flags,
        members.map((m) => m.taskDir),
        throttle,
      );
      this.arrayIds.add(arrayId);
      // Canceled while sbatch ran: this array is ended like the others.
      if (this.canceled) void this.engine.canceller.cancelArrays([arrayId]).catch(() => {});
      members.forEach((member, element) => member.resolve(`${arrayId}_${element}`));
    } catch (error) {
      for (const member of members) member.reject(error);
    }
  }
}

/** The fan-out the current run belongs to, if it is a member of one (see {@link FanOutArrays.run}). */
export function fanOutMembership(): { arrays: FanOutArrays; index: number } | undefined {
  return membership.getStore();
}

/** One array per set of `sbatch` flags (resources differ), each at most `maxSize` elements. */
function splitIntoArrays(batch: Waiting[], maxSize: number): Waiting[][] {
  const byFlags = new Map<string, Waiting[]>();
  for (const waiting of batch) {
    const key = JSON.stringify(waiting.flags);
    let members = byFlags.get(key);
    if (!members) byFlags.set(key, (members = []));
    members.push(waiting);
  }
  const arrays: Waiting[][] = [];
  for (const members of byFlags.values()) {
    for (let start = 0; start < members.length; start += maxSize) arrays.push(members.slice(start, start + maxSize));
  }
  return arrays;
}
