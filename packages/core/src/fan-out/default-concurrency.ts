import { availableParallelism } from 'node:os';
import { isCharliecloudEngine, isSlurmEngine, type Engine } from '../slurm/engine-kind.js';
import { slurmConcurrency } from '../slurm/slurm-capacity.js';

/**
 * One task per CPU of the DAEMON's machine: that is where the tools run (a notebook container
 * limited to 2 CPUs may drive a 64-core host, and vice versa).
 */
export async function defaultConcurrency(engine: Engine): Promise<number> {
  if (isSlurmEngine(engine)) return slurmConcurrency(engine);
  if (isCharliecloudEngine(engine)) return availableParallelism(); // the tools run on this machine
  const info = await engine.info();
  const cpus = Number(info.NCPU);
  return Number.isInteger(cpus) && cpus > 0 ? cpus : 1;
}
