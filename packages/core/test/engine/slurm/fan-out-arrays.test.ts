import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isToolError, runMany, type FanOutProgress } from '@tooldock/core';
import { session } from '@tooldock/core/docker';
import { activeJobs, sessionContainers, testCluster } from '#test-support/slurm-engine.js';
import { expectTimeoutCountedFromStart } from '#test-support/queued-timeout.js';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();
const cluster = testCluster('docker', 'arrays');

/** Ids of the array jobs this engine submitted (each `sbatch` call writes one submit-* directory). */
function arrayIdsOf(progress: FanOutProgress): Set<string> {
  return new Set(progress.tasks.map((t) => t.jobId!.split('_')[0]!));
}

describe('runMany on a Slurm cluster: throttled job arrays', () => {
  it('submits 30 tasks at concurrency 2 as one array, never more than 2 running (seen from the nodes)', async () => {
    const dir = tempDir('slurm-array');
    chmodSync(dir, 0o777);
    // Each task marks itself running, counts the marks present (its own included), then unmarks.
    const task = (i: number) => ({
      image: busybox,
      mounts: [`${dir}:rw`],
      args: ['sh', '-c', `touch ${dir}/run-${i}; sleep 0.3; ls ${dir} | grep -c '^run-' > ${dir}/seen-${i}; rm ${dir}/run-${i}; echo ${i}`],
    });
    let last: FanOutProgress | undefined;
    const results = await runMany(
      Array.from({ length: 30 }, (_, i) => task(i)),
      { engine: cluster, concurrency: 2, onProgress: (p) => (last = p) },
    );

    expect(results.map((r) => r.stdout)).toEqual(Array.from({ length: 30 }, (_, i) => `${i}\n`));
    expect(arrayIdsOf(last!).size).toBe(1);
    expect(last!.tasks.map((t) => t.jobId!.split('_')[1])).toEqual(Array.from({ length: 30 }, (_, i) => String(i)));
    const seen = Array.from({ length: 30 }, (_, i) => Number(readFileSync(join(dir, `seen-${i}`), 'utf8')));
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...seen)).toBeLessThanOrEqual(2);
  }, 120_000);

  it("counts a task's timeoutMs from when its job runs, not while it waits behind the throttle", async () => {
    // A's own timeout has the same `--time` as B's (so both go in one array) and leaves it a minute.
    const last = await expectTimeoutCountedFromStart(cluster, busybox, 60_000);
    expect(arrayIdsOf(last).size).toBe(1);
  }, 240_000);

  it('failFast: the first failure ends every element of the array, queued or running', async () => {
    const tasks = Array.from({ length: 6 }, (_, i) => ({ image: busybox, args: i === 0 ? ['sh', '-c', 'sleep 1; exit 3'] : ['sleep', '300'] }));
    let last: FanOutProgress | undefined;
    const error = await runMany(tasks, { engine: cluster, concurrency: 2, onProgress: (p) => (last = p) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isToolError(error) && error.exitCode).toBe(3);
    expect(arrayIdsOf(last!).size).toBe(1);
    expect(last!.tasks.slice(1).every((t) => t.state === 'canceled')).toBe(true);
    for (let i = 0; i < 120 && (activeJobs().length || sessionContainers(session.id).length); i++) await new Promise((r) => setTimeout(r, 250));
    expect(activeJobs()).toEqual([]);
    expect(sessionContainers(session.id)).toEqual([]);
  }, 120_000);
});
