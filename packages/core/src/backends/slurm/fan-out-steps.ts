import { AsyncLocalStorage } from 'node:async_hooks';
import type { FanOutPlan } from '../engine-kind.js';
import { session } from '../docker/process-session.js';
import { bounded } from '../../lifecycle/bounded.js';
import { Allocation } from './allocation.js';
import { FanOutArrays } from './fan-out-arrays.js';
import { JobStep, type StepHandle } from './job-step.js';
import { SlotWorker } from './slot-worker.js';
import { partitionCpus } from './slurm-capacity.js';
import type { SlurmEngine } from './slurm-engine.js';

/** Which steps fan-out the current run belongs to; follows the run's awaits. */
const membership = new AsyncLocalStorage<FanOutSteps>();

/** Per-run flags that are the step's own, not the allocation's. */
const STEP_ONLY = /^--(?:ntasks|cpus-per-task|mem|time)=/;

interface Waiting {
  index: number;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * A `runMany` on a Slurm cluster as job steps in one allocation (`fanOut: 'steps'`, the default):
 * the first task to start takes an allocation of `min(concurrency, tasks)` slots of its CPUs and
 * memory (`salloc --no-shell`), and each task runs as soon as a slot frees on that slot's worker
 * step (slot-worker.ts: one `srun --exact -n1` per slot, not per task), or as a step of its own
 * (job-step.ts) when it has a time limit of its own — no scheduling pass per task. The
 * allocation is given back when the last task settles, ended with the fan-out by a cancel or
 * `failFast`, and by the watchdog when this process dies (it carries the session's job name).
 * Tasks asking for other resources than the first (or for GPUs) go out as job arrays
 * ({@link FanOutArrays}).
 */
export class FanOutSteps implements FanOutPlan {
  private readonly arrays: FanOutArrays;
  private resources: string | undefined;
  private allocation: Promise<Allocation> | undefined;
  private readonly waiting: Waiting[] = [];
  /** Slot workers between two tasks (slot-worker.ts). */
  private readonly idle: SlotWorker[] = [];
  private slots = 0;
  private busy = 0;
  private settledCount = 0;
  private canceled = false;

  /**
   * `resources`: the `sbatch` flags of the runs its slots are for, when known before the first
   * run (a held allocation: warm-allocation.ts); else the first run's decide.
   */
  constructor(
    private readonly engine: SlurmEngine,
    private readonly concurrency: number,
    private readonly taskCount: number,
    resources?: readonly string[],
  ) {
    this.arrays = new FanOutArrays(engine, concurrency, taskCount);
    if (resources) this.resources = resourcesKey(resources);
  }

  run<T>(index: number, task: () => Promise<T>): Promise<T> {
    // The last task to settle gives the allocation back before runMany returns.
    return this.arrays.run(index, () => asMemberOf(this, task)).finally(() => this.settled());
  }

  /** Ends every step and the allocation (one `scancel`), and whatever went out as arrays. */
  async cancel(): Promise<void> {
    this.canceled = true;
    for (const waiting of this.waiting.splice(0)) waiting.reject(canceledError());
    await Promise.all([this.release(), this.arrays.cancel()]);
  }

  /** Whether a run with these `sbatch` flags runs as a step here (same resources as the allocation's). */
  takes(flags: readonly string[]): boolean {
    if (flags.some((flag) => flag.startsWith('--gpus'))) return false;
    const key = resourcesKey(flags);
    this.resources ??= key;
    return key === this.resources;
  }

  /**
   * Starts task `index`'s step once the allocation is granted and a slot is free (tasks in
   * index order). Rejects when `signal` aborts first or the fan-out was canceled.
   */
  async launch(index: number, flags: readonly string[], runDir: string, signal: AbortSignal): Promise<StepHandle> {
    if (this.canceled) throw canceledError();
    const allocation = await this.allocate(flags);
    const jobId = await bounded(allocation.granted, signal, "waiting for the fan-out's Slurm allocation");
    await this.slot(index, signal);
    if (this.canceled) {
      this.free();
      throw canceledError();
    }
    let step: StepHandle;
    try {
      step = this.worksOnWorker(flags) ? this.onWorker(jobId, flags, runDir) : this.ownStep(jobId, flags, runDir);
    } catch (error) {
      this.free();
      throw error;
    }
    void step.exited.then(() => this.free());
    return step;
  }

  /**
   * A run whose step would have no `--time` of its own (none, or the allocation's, which bounds
   * every step anyway) goes to a slot worker; one with its own time limit keeps a step of its own,
   * where Slurm enforces that limit even when this process and its watchdog are gone.
   */
  private worksOnWorker(flags: readonly string[]): boolean {
    const time = flags.find((flag) => flag.startsWith('--time='));
    return time === undefined || (this.engine.options.time !== undefined && time === `--time=${this.engine.options.time}`);
  }

  /**
   * An idle worker holds its slot's CPUs in Slurm's view: a step of its own would wait for them
   * (srun retries) until the worker ends. So the idle ones end first.
   */
  private ownStep(jobId: string, flags: readonly string[], runDir: string): StepHandle {
    this.closeIdle();
    return new JobStep(stepArgs(jobId, flags, runDir, this.engine));
  }

  private onWorker(jobId: string, flags: readonly string[], runDir: string): StepHandle {
    // Before a worker is taken or started: a run directory it cannot be sent fails alone.
    SlotWorker.refuseUnsendable(runDir);
    // No `--time` of its own: it serves many runs; the allocation's limit bounds it (worksOnWorker).
    const perRun = flags.filter((flag) => !flag.startsWith('--time='));
    const worker = this.takeIdle() ?? new SlotWorker(stepArgs(jobId, perRun, this.engine.spool.dir, this.engine, ['--worker']));
    const task = worker.run(runDir);
    // Back to the idle ones before the slot is freed (launch), so the next task finds it.
    void task.exited.then(() => worker.idle && this.idle.push(worker));
    return task;
  }

  /** An idle worker that can still take a task (one that ended meanwhile is dropped). */
  private takeIdle(): SlotWorker | undefined {
    let worker = this.idle.pop();
    while (worker && !worker.idle) worker = this.idle.pop();
    return worker;
  }

  /** Ends the idle workers (each once its stdin is closed): they hold their slots' CPUs. */
  private closeIdle(): void {
    for (const worker of this.idle.splice(0)) worker.close();
  }

  /** The allocation's job id, once known (a step's kill waits for its whole-allocation cancel). */
  get allocationId(): string | undefined {
    return this.allocationNow?.jobId;
  }

  private allocationNow: Allocation | undefined;

  /** @internal Takes the allocation now (a held one), with `time` as its limit if given. */
  allocate(flags: readonly string[], time?: string): Promise<Allocation> {
    this.allocation ??= (async () => {
      const cpus = Number(flags.find((f) => f.startsWith('--cpus-per-task='))?.split('=')[1] ?? 1);
      // More slots than the partition has CPUs for would never be granted.
      const usable = await partitionCpus(this.engine).then(
        (c) => c.total - c.other,
        () => 0,
      );
      this.slots = Math.max(1, Math.min(this.concurrency, this.taskCount, usable > 0 ? Math.floor(usable / cpus) || 1 : this.concurrency));
      const allocation = new Allocation(allocationFlags(flags, this.slots, this.engine, time));
      this.allocationNow = allocation;
      if (this.canceled) void this.release();
      return allocation;
    })();
    return this.allocation;
  }

  private slot(index: number, signal: AbortSignal): Promise<void> {
    if (this.busy < this.slots && this.waiting.length === 0) {
      this.busy++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiting: Waiting = {
        index,
        resolve: () => (signal.removeEventListener('abort', onAbort), resolve()),
        reject: (error) => (signal.removeEventListener('abort', onAbort), reject(error)),
      };
      const onAbort = () => {
        const at = this.waiting.indexOf(waiting);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const at = this.waiting.findIndex((w) => w.index > index);
      this.waiting.splice(at < 0 ? this.waiting.length : at, 0, waiting);
    });
  }

  private free(): void {
    const next = this.waiting.shift();
    if (next) next.resolve();
    else this.busy--;
  }

  private async settled(): Promise<void> {
    if (++this.settledCount >= this.taskCount) await this.release().catch(() => {});
  }

  /** How many steps run at once in it (known once allocated). */
  get slotCount(): number {
    return this.slots;
  }

  /** Gives the allocation back (or stops waiting for it): `scancel` ends any step still running. */
  async release(): Promise<void> {
    this.closeIdle();
    const allocation = this.allocationNow;
    if (!allocation) return;
    allocation.stopWaiting();
    await allocation.granted.catch(() => {});
    if (allocation.jobId) await this.engine.canceller.cancelArrays([allocation.jobId]);
  }
}

/** Runs `task` (and the tool runs it starts) as a member of `steps`. */
export function asMemberOf<T>(steps: FanOutSteps, task: () => Promise<T>): Promise<T> {
  return membership.run(steps, task);
}

/** What a run's flags ask of a slot: everything but its own time limit. */
function resourcesKey(flags: readonly string[]): string {
  return JSON.stringify(flags.filter((flag) => !flag.startsWith('--time=')));
}

/** The steps fan-out the current run is a member of, if any (see {@link FanOutSteps.run}). */
export function fanOutSteps(): FanOutSteps | undefined {
  return membership.getStore();
}

/** `salloc` flags: the runs' placement and `slots` times one run's CPUs and memory. */
function allocationFlags(flags: readonly string[], slots: number, engine: SlurmEngine, time = engine.options.time): string[] {
  const cpus = Number(flags.find((f) => f.startsWith('--cpus-per-task='))?.split('=')[1] ?? 1);
  const memMiB = Number(/^--mem=(\d+)M$/.exec(flags.find((f) => f.startsWith('--mem=')) ?? '')?.[1] ?? NaN);
  return [
    `--job-name=${engine.jobName}`,
    `--comment=tooldock session=${session.id} pid=${session.pid} host=${session.host}`,
    `--ntasks=${slots}`,
    `--cpus-per-task=${cpus}`,
    ...(Number.isFinite(memMiB) ? [`--mem-per-cpu=${Math.ceil(memMiB / cpus)}M`] : []),
    // The fan-out's length is unknown: the site's default limit, or the engine's `time`.
    ...(time ? [`--time=${time}`] : []),
    ...flags.filter((flag) => !STEP_ONLY.test(flag)),
  ];
}

/**
 * `srun` flags of one step: exactly one run's resources, its own `--time` (our kill comes first),
 * started in `dir` with the job script given `scriptArgs` (a run directory: `dir` itself).
 */
function stepArgs(jobId: string, flags: readonly string[], dir: string, engine: SlurmEngine, scriptArgs = [dir]): string[] {
  const own = flags.filter((flag) => /^--(?:cpus-per-task|mem|time)=/.test(flag));
  return [
    `--jobid=${jobId}`,
    '--exact',
    '--ntasks=1',
    '--nodes=1',
    ...own,
    `--chdir=${dir}`,
    '--quiet',
    ...(engine.options.srunArgs ?? []),
    engine.spool.script(),
    ...scriptArgs,
  ];
}

function canceledError(): Error {
  return new Error('the fan-out was canceled before this step started');
}
