import { slurmCommand } from './slurm-cli.js';
import type { SlurmEngine } from './slurm-engine.js';

/** CPUs of a partition: allocated, idle, other (down, drained) and total, as `sinfo %C` says. */
export interface PartitionCpus {
  allocated: number;
  idle: number;
  other: number;
  total: number;
}

/** `sinfo` for the engine's partition (or the default one), summed over its nodes. */
export async function partitionCpus(engine: SlurmEngine, signal?: AbortSignal): Promise<PartitionCpus> {
  const partition = engine.options.partition;
  const out = await slurmCommand('sinfo', ['--noheader', '--format=%C|%P', ...(partition ? [`--partition=${partition}`] : [])], signal, 30_000);
  const cpus = { allocated: 0, idle: 0, other: 0, total: 0 };
  for (const line of out.split('\n')) {
    const [counts, name] = line.trim().split('|');
    // Without a partition option: the default one, which sinfo marks with "*".
    if (!counts || (!partition && !name?.endsWith('*'))) continue;
    const [a = 0, i = 0, o = 0, t = 0] = counts.split('/').map(Number);
    cpus.allocated += a;
    cpus.idle += i;
    cpus.other += o;
    cpus.total += t;
  }
  return cpus;
}

/**
 * A fan-out's default concurrency on a cluster: as many one-CPU runs as the partition can run
 * at once (its usable CPUs), not the notebook's CPUs. Slurm queues the rest of a burst itself.
 */
export async function slurmConcurrency(engine: SlurmEngine): Promise<number> {
  const cpus = await partitionCpus(engine).catch(() => undefined);
  const usable = cpus ? cpus.total - cpus.other : 0;
  return usable > 0 ? usable : 1;
}
