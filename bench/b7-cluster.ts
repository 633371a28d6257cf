import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../scripts/slurm-cluster.sh', import.meta.url));

/** The test cluster B7 runs on: `SLURM_CONF` for every client, and how to give it back. */
export interface BenchCluster {
  conf: string;
  /** Whether this bench started it (and so stops it). */
  startedHere: boolean;
  release(): Promise<void>;
}

/**
 * Reuses the cluster of scripts/slurm-cluster.sh when one runs (in `$TOOLDOCK_SLURM_DIR` or its
 * default dir), else starts one; `release()` stops it only if it was started here.
 */
export async function useSlurmCluster(): Promise<BenchCluster> {
  const running = await run('bash', [script, 'status']).then(
    () => true,
    () => false,
  );
  const { stdout } = await run('bash', [script, 'start'], { maxBuffer: 1 << 20 });
  const conf = /SLURM_CONF=(\S+)/.exec(stdout)?.[1];
  if (!conf) throw new Error(`scripts/slurm-cluster.sh start printed no SLURM_CONF: ${stdout}`);
  const previous = process.env.SLURM_CONF;
  // Every client this process starts (srun, sbatch, the engine's squeue) must find this cluster.
  process.env.SLURM_CONF = conf;
  return {
    conf,
    startedHere: !running,
    async release() {
      if (previous === undefined) delete process.env.SLURM_CONF;
      else process.env.SLURM_CONF = previous;
      if (!running) await run('bash', [script, 'stop']);
    },
  };
}

/** CPUs in the partition (`sinfo %C` = allocated/idle/other/total): one single-CPU task each. */
export async function partitionCpus(partition: string): Promise<number> {
  const { stdout } = await run('sinfo', ['-h', '-p', partition, '-o', '%C']);
  const total = Number(stdout.trim().split('/')[3]);
  if (!Number.isInteger(total) || total < 1) throw new Error(`sinfo gave no CPU count for partition ${partition}: ${stdout}`);
  return total;
}
