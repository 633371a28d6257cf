import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

const script = fileURLToPath(new URL('../scripts/slurm-cluster.sh', import.meta.url));

declare module 'vitest' {
  export interface ProvidedContext {
    slurmConf: string;
  }
}

/**
 * Global setup of the Slurm tests: one real two-node cluster (scripts/slurm-cluster.sh: Debian's
 * slurmctld, two slurmd, a private munged) in a fresh directory, shared by every Slurm test file
 * and stopped — daemons, jobs and directory — when they end. No skip: without Slurm the run fails.
 */
export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'tooldock-slurm-test-'));
  let out: string;
  try {
    out = execFileSync('bash', [script, 'start', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  } catch (error) {
    execFileSync('bash', [script, 'stop', dir], { stdio: 'inherit' });
    throw new Error(`could not start the test Slurm cluster (scripts/slurm-cluster.sh start ${dir}): ${(error as Error).message}`);
  }
  const conf = /SLURM_CONF=(\S+)/.exec(out)?.[1];
  if (!conf) throw new Error(`scripts/slurm-cluster.sh printed no SLURM_CONF: ${out}`);
  process.env.SLURM_CONF = conf;
  project.provide('slurmConf', conf);
  return () => {
    execFileSync('bash', [script, 'stop', dir], { stdio: 'inherit' });
  };
}
