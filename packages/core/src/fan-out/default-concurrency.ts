import { isSlurmEngine, type Engine } from '../backends/slurm/engine-kind.js';
import { slurmConcurrency } from '../backends/slurm/slurm-capacity.js';

/**
 * One task per CPU of the DAEMON's machine: that is where the tools run (a notebook container
 * limited to 2 CPUs may drive a 64-core host, and vice versa).
 */
export async function defaultConcurrency(engine: Engine): Promise<number> {
  if (isSlurmEngine(engine)) return slurmConcurrency(engine);
  const info = await engine.info();
  const cpus = Number(info.NCPU);
  return Number.isInteger(cpus) && cpus > 0 ? cpus : 1;
}
