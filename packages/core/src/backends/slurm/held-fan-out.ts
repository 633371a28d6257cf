import type { FanOutPlan } from '../engine-kind.js';
import { FanOutArrays } from './fan-out-arrays.js';
import { asMemberOf, type FanOutSteps } from './fan-out-steps.js';
import type { SlurmEngine } from './slurm-engine.js';

/**
 * A `runMany` on an engine that holds an allocation (`WarmAllocation.hold`): its tasks run as steps in
 * the held allocation's slots (which bound how many run at once), tasks that do not fit a slot
 * as job arrays. Ending the fan-out ends its own runs (each its step), never the held allocation.
 */
export class HeldFanOut implements FanOutPlan {
  private readonly arrays: FanOutArrays;

  constructor(
    engine: SlurmEngine,
    private readonly steps: FanOutSteps,
    concurrency: number,
    taskCount: number,
  ) {
    this.arrays = new FanOutArrays(engine, concurrency, taskCount);
  }

  run<T>(index: number, task: () => Promise<T>): Promise<T> {
    return this.arrays.run(index, () => asMemberOf(this.steps, task));
  }

  /** The steps end with their runs' own cancels; what went out as arrays is cancelled here. */
  cancel(): Promise<void> {
    return this.arrays.cancel();
  }
}
