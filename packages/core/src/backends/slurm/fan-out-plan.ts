import type { PreparedTask } from '../../fan-out/task.js';
import { isSlurmEngine, type Engine } from './engine-kind.js';
import { FanOutArrays } from './fan-out-arrays.js';

/**
 * How a `runMany` reaches a Slurm cluster: when every task is a tool run on the fan-out's Slurm
 * engine, as job arrays submitted up front ({@link FanOutArrays}); otherwise (function tasks such
 * as recipe calls, a task with its own engine, a Docker engine) undefined: the per-task path,
 * where `runMany` itself holds at most `concurrency` runs at once.
 */
export function slurmArraysFor(tasks: readonly PreparedTask<unknown>[], engine: Engine, concurrency: number, reuse: boolean): FanOutArrays | undefined {
  if (!isSlurmEngine(engine) || reuse || tasks.length === 0) return undefined;
  const allToolRuns = tasks.every((task) => task.kind === 'tool' && task.spec.engine === engine && !task.spec.backend);
  return allToolRuns ? new FanOutArrays(engine, concurrency, tasks.length) : undefined;
}
