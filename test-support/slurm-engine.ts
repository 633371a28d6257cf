import { execFileSync } from 'node:child_process';
import { afterAll, inject } from 'vitest';
import { connect } from '@tooldock/core';
import { session } from '@tooldock/core/docker';
import { type SlurmEngine } from '@tooldock/core/slurm';
import { tempDir } from './temp-dir.js';

/** The test cluster's config (from the global setup), for this worker's Slurm commands. */
export function useTestCluster(): string {
  const conf = inject('slurmConf');
  process.env.SLURM_CONF = conf;
  return conf;
}

/**
 * An engine on the test cluster with its own spool directory; after the file, no job of this
 * session may be left in the queue (the containers are checked by no-leftover-containers.ts).
 */
export function testCluster(runtime: 'docker' | 'podman' = 'docker', fanOut?: 'steps' | 'arrays'): SlurmEngine {
  useTestCluster();
  const engine = connect({ slurm: { runtime, partition: 'main', spoolDir: tempDir('slurm-spool'), ...(fanOut ? { fanOut } : {}) } });
  afterAll(async () => {
    // A job whose result is in stays COMPLETING until its node reports back (seconds when loaded),
    // and a canceled one RUNNING while its script makes sure no container can still land
    // (job-script.ts; bounded by the cluster's KillWait: Slurm's default 30 s).
    let left = activeJobs(engine.jobName);
    for (let i = 0; i < 140 && left.length && left.every((job) => / (COMPLETING|RUNNING)$/.test(job)); i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      left = activeJobs(engine.jobName);
    }
    if (left.length) throw new Error(`jobs of this test session were left in the queue: ${left.join(', ')}`);
  });
  return engine;
}

/** This session's jobs that are pending or running (squeue). */
export function activeJobs(jobName = `tooldock-${session.id}`): string[] {
  const out = execFileSync(
    'squeue',
    ['--array', '--noheader', `--name=${jobName}`, '--states=PENDING,RUNNING,SUSPENDED,COMPLETING,CONFIGURING', '--format=%i %T'],
    { encoding: 'utf8' },
  );
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

/** Containers of a session on the node's docker (both test nodes share this host's daemon). */
export function sessionContainers(sessionId: string, runtime: 'docker' | 'podman' = 'docker'): string[] {
  const out = execFileSync(runtime, ['ps', '-aq', '--filter', `label=tooldock.session=${sessionId}`], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean);
}

/** Command lines of this host's processes that contain `marker` (both test nodes run here). */
export function processesWith(marker: string): string[] {
  return execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(marker) && !l.startsWith('ps '));
}

/** Waits (bounded, 60 s) until no job of `engine` and no process showing `marker` is left, then says what is. */
export async function leftovers(engine: SlurmEngine, marker: string): Promise<{ jobs: string[]; processes: string[] }> {
  for (let i = 0; i < 240 && (activeJobs(engine.jobName).length || processesWith(marker).length); i++) await new Promise((r) => setTimeout(r, 250));
  return { jobs: activeJobs(engine.jobName), processes: processesWith(marker) };
}
