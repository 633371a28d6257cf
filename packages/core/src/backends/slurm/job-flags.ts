import { memoryToBytes, type ParsedRunOptions } from '../../api/options.js';
import type { SlurmOptions } from './slurm-options.js';

/**
 * The `sbatch` flags of one run: the engine's placement (partition, account, QOS, extra flags)
 * and the run's resources — `cpus` → `--cpus-per-task` (whole cores, rounded up), `memory` →
 * `--mem` (MiB, rounded up; the container gets the exact limit), `timeoutMs` → `--time` (whole
 * minutes, rounded up: our own kill comes first), `gpus` → `--gpus`.
 */
export function jobFlags(slurm: SlurmOptions, options: Pick<ParsedRunOptions, 'cpus' | 'memory' | 'timeoutMs' | 'gpus'>): string[] {
  const flags: string[] = [];
  if (slurm.partition) flags.push(`--partition=${slurm.partition}`);
  if (slurm.account) flags.push(`--account=${slurm.account}`);
  if (slurm.qos) flags.push(`--qos=${slurm.qos}`);
  flags.push('--ntasks=1', `--cpus-per-task=${Math.ceil(options.cpus ?? 1)}`);
  if (options.memory !== undefined) flags.push(`--mem=${Math.ceil(memoryToBytes(options.memory) / 2 ** 20)}M`);
  const time = options.timeoutMs !== undefined ? String(Math.ceil(options.timeoutMs / 60_000)) : slurm.time;
  if (time) flags.push(`--time=${time}`);
  const gpus = gpuCount(options.gpus);
  if (gpus !== undefined) flags.push(`--gpus=${gpus}`);
  return [...flags, ...(slurm.sbatchArgs ?? [])];
}

/** `gpus: n` or a list of devices asks Slurm for that many; `"all"` has no meaning on a shared cluster. */
function gpuCount(gpus: unknown): number | undefined {
  if (gpus === undefined) return undefined;
  if (typeof gpus === 'number') return gpus;
  if (Array.isArray(gpus)) return gpus.length;
  throw new Error('gpus: "all" cannot be asked of Slurm (a node\'s GPUs are shared between jobs); ask for a number of GPUs instead');
}
