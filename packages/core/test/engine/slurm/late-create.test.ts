import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { session } from '@tooldock/core/docker';
import { JOB_SCRIPT } from '../../../src/backends/slurm/job-script.js';
import { nodeRuntime, type NodeContainerPlan } from '../../../src/backends/slurm/node-runtime.js';
import { argvFile } from '../../../src/backends/slurm/spool.js';
import { activeJobs, useTestCluster } from '#test-support/slurm-engine.js';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();
useTestCluster();

const until = async (done: () => boolean, ms: number) => {
  for (const end = Date.now() + ms; !done() && Date.now() < end;) await new Promise((r) => setTimeout(r, 100));
};
const containersNamed = (name: string) =>
  execFileSync('docker', ['ps', '-a', '--filter', `name=^/${name}$`, '--format', '{{.State}}'], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);

/**
 * The window behind a `created` orphan of a canceled fan-out: `scancel`'s TERM reaches the job
 * while the runtime is still creating the container, so the job script's remove finds nothing
 * and the create lands afterwards. Here the runtime's command is made to create its container
 * a second after the TERM (it ignores the signal, then runs the real `docker run`), through the
 * real job script under the real cluster: the container must still be removed.
 */
describe('the job script after scancel', () => {
  it('removes a container created after the cancel arrived', async () => {
    const spool = tempDir('slurm-late-create');
    const dir = join(spool, 'run-late');
    mkdirSync(dir);
    const name = `tooldock-${session.id}-late-${process.pid}`;
    const plan: NodeContainerPlan = {
      name,
      image: busybox,
      args: ['sleep', '300'],
      mounts: [],
      user: undefined,
      groups: [],
      env: {},
      envFile: join(dir, 'env'),
      network: 'none',
      pull: 'never',
      stdin: false,
      noNewPrivileges: true,
      pidsLimit: 100,
      labels: { 'tooldock.session': session.id, 'tooldock.test': 'late-create' },
    };
    const runtime = nodeRuntime('docker');
    const late = ['bash', '-c', 'trap "" TERM; : > started; sleep 1; exec "$@"', 'late', ...runtime.run(plan)];
    writeFileSync(join(dir, 'env'), '');
    writeFileSync(join(dir, 'run.argv'), argvFile(late));
    writeFileSync(join(dir, 'state.argv'), argvFile(runtime.exitState(name)));
    writeFileSync(join(dir, 'rm.argv'), argvFile(runtime.remove(name)));
    writeFileSync(join(dir, 'claim.argv'), argvFile(runtime.claim(plan)));
    writeFileSync(join(spool, 'job.sh'), JOB_SCRIPT, { mode: 0o700 });
    writeFileSync(join(spool, 'list'), `${dir}\n`);
    const jobName = `tooldock-${session.id}-late`;
    const jobId = execFileSync('sbatch', ['--parsable', `--job-name=${jobName}`, '--output=/dev/null', join(spool, 'job.sh'), join(spool, 'list')], {
      encoding: 'utf8',
    }).trim();
    try {
      await until(() => existsSync(join(dir, 'started')), 60_000);
      expect(existsSync(join(dir, 'started')), 'the job started its runtime command').toBe(true);
      execFileSync('scancel', [jobId]);
      await until(() => activeJobs(jobName).length === 0, 30_000);
      expect(activeJobs(jobName)).toEqual([]);
      // The late create happens ~1 s after the TERM; give it time to land, then nothing may be there.
      await new Promise((r) => setTimeout(r, 2_000));
      expect(containersNamed(name)).toEqual([]);
      expect(readFileSync(join(dir, 'result'), 'utf8')).toMatch(/^143 false n[12]\n$/);
    } finally {
      execFileSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
    }
  });
});
