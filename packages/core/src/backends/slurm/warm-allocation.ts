import { z } from 'zod';
import { RunOptionsSchema } from '../../api/options.js';
import { InvalidInputError, parseOrThrow } from '../../errors/invalid-input-error.js';
import { bounded } from '../../lifecycle/bounded.js';
import { FanOutSteps } from './fan-out-steps.js';
import { jobFlags } from './job-flags.js';
import type { SlurmEngine } from './slurm-engine.js';
import { slurmTime } from './slurm-options.js';

/** `WarmAllocation.hold(engine, options)`: the slots to hold, what each gives a run, and for how long. */
export const HoldOptionsSchema = RunOptionsSchema.pick({ cpus: true, memory: true })
  .extend({
    /** Runs at once (one slot each); default 1. More than the partition's free CPUs allow are not asked for. */
    slots: z.number().int('must be a whole number of slots').min(1, 'must be at least 1').max(4096, 'must be at most 4096').optional(),
    /** The allocation's time limit (Slurm `--time`); default the engine's `time`, else the site's. */
    time: slurmTime.optional(),
  })
  .strict();
export type HoldOptions = z.input<typeof HoldOptionsSchema>;

/** Each engine's held allocation: kept here, not on the engine, so the engine need not import it. */
const holds = new WeakMap<SlurmEngine, WarmAllocation>();

/** @internal The allocation `engine` holds warm, if any. */
export function heldBy(engine: SlurmEngine): WarmAllocation | undefined {
  return holds.get(engine);
}

/**
 * A Slurm allocation held warm for single calls (`WarmAllocation.hold(cluster)`): while it is held, every
 * `runTool` — and every `runMany` — on its engine that asks for one slot's resources (the same
 * `cpus` and `memory`, no GPUs) runs as a job step inside it (`srun --jobid --exact`), started at
 * once with no allocation of its own; other runs go out as before. `release()` (or `await using`)
 * gives it back and ends any step still in it; the watchdog gives it back if this process dies.
 *
 * @example
 * ```ts
 * const cluster = connect({ slurm: { partition: 'main', runtime: 'charliecloud' } });
 * await using held = await WarmAllocation.hold(cluster, { slots: 2, time: '1:00:00' });
 * await runTool(image, ['samtools', 'flagstat', bam], [dir], { engine: cluster }); // a step of held.jobId
 * ```
 */
export class WarmAllocation implements AsyncDisposable {
  private released = false;

  private constructor(
    private readonly engine: SlurmEngine,
    /** @internal The steps its runs go out as. */
    readonly steps: FanOutSteps,
    /** Its Slurm job id. */
    readonly jobId: string,
  ) {}

  /**
   * Holds an allocation on `engine` and waits for Slurm to grant it (bounded by `signal`). One at a
   * time per engine: a second is an `InvalidInputError` until the first is released.
   */
  static async hold(engine: SlurmEngine, options: HoldOptions = {}, { signal }: { signal?: AbortSignal } = {}): Promise<WarmAllocation> {
    refuseSecondHold(engine, options);
    const parsed = parseOrThrow(HoldOptionsSchema, options, 'hold');
    const flags = jobFlags(engine.options, { cpus: parsed.cpus, memory: parsed.memory });
    const steps = new FanOutSteps(engine, parsed.slots ?? 1, Number.POSITIVE_INFINITY, flags);
    engine.ensureWatchdog();
    const allocation = await steps.allocate(flags, parsed.time);
    try {
      const granted = await bounded(allocation.granted, signal ?? new AbortController().signal, 'waiting for the Slurm allocation to hold');
      refuseSecondHold(engine, options); // two holds racing: the first granted is kept
      const held = new WarmAllocation(engine, steps, granted);
      holds.set(engine, held);
      return held;
    } catch (error) {
      await steps.release().catch(() => {});
      throw error;
    }
  }

  /** How many of its runs run at once (fewer than asked when the partition has fewer free CPUs). */
  get slots(): number {
    return this.steps.slotCount;
  }

  /** Gives the allocation back: new runs go out on their own again, a step still running is ended. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    if (holds.get(this.engine) === this) holds.delete(this.engine);
    await this.steps.release();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.release();
  }
}

function refuseSecondHold(engine: SlurmEngine, options: HoldOptions): void {
  const held = holds.get(engine);
  if (held) throw new InvalidInputError('hold', options, `this engine already holds allocation ${held.jobId}: release() it first`);
}
