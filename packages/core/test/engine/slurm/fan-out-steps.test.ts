import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isToolError, runMany, session, type FanOutProgress, type ToolError, type ToolEvent } from '@tooldock/core';
import { activeJobs, sessionContainers, testCluster } from '#test-support/slurm-engine.js';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();
const cluster = testCluster('docker', 'steps');

/** Waits (bounded) until no job and no container of this session is left, then says what is. */
async function leftovers(): Promise<{ jobs: string[]; containers: string[] }> {
  for (let i = 0; i < 160 && (activeJobs().length || sessionContainers(session.id).length); i++) await new Promise((r) => setTimeout(r, 250));
  return { jobs: activeJobs(), containers: sessionContainers(session.id) };
}

describe('runMany on a Slurm cluster: job steps in one allocation', () => {
  it('runs each task as a step: its output and exit code, never more than `concurrency` at once, no job left after', async () => {
    const dir = tempDir('slurm-steps');
    chmodSync(dir, 0o777);
    // Each task marks itself running, counts the marks present (its own included), then unmarks.
    const task = (i: number) => ({
      image: busybox, mounts: [`${dir}:rw`],
      args: ['sh', '-c', `touch ${dir}/run-${i}; sleep 0.3; ls ${dir} | grep -c '^run-' > ${dir}/seen-${i}; rm ${dir}/run-${i}; echo out${i}; echo err${i} >&2; exit ${i % 3}`],
    });
    let last: FanOutProgress | undefined;
    const outcomes = await runMany(Array.from({ length: 8 }, (_, i) => task(i)), { engine: cluster, concurrency: 2, failFast: false, onProgress: (p) => (last = p) });

    outcomes.forEach((outcome, i) => {
      const result = outcome.status === 'fulfilled' ? outcome.value : (outcome.reason as ToolError);
      expect(result.exitCode).toBe(i % 3);
      expect(result.stdout).toBe(`out${i}\n`);
      expect(result.stderr).toBe(`err${i}\n`);
    });
    const stepIds = last!.tasks.map((t) => t.jobId!);
    expect(new Set(stepIds.map((id) => id.split('.')[0])).size).toBe(1);
    expect(new Set(stepIds).size).toBe(8);
    const seen = Array.from({ length: 8 }, (_, i) => Number(readFileSync(join(dir, `seen-${i}`), 'utf8')));
    expect(Math.max(...seen)).toBeLessThanOrEqual(2);
    expect(await leftovers()).toEqual({ jobs: [], containers: [] });
  });

  it('cancels one task\'s step (scancel <job>.<step>) while the others run on', async () => {
    const controller = new AbortController();
    const onEvent = (e: ToolEvent) => e.type === 'job:state' && e.state === 'RUNNING' && controller.abort();
    let canceledStep: string | undefined;
    const outcomes = await runMany([
      { image: busybox, args: ['sleep', '300'], options: { signal: controller.signal, onEvent } },
      { image: busybox, args: ['sh', '-c', 'sleep 1; echo fine'] },
    ], { engine: cluster, concurrency: 2, failFast: false, onProgress: (p) => p.task.index === 0 && p.task.jobId?.includes('.') && (canceledStep = p.task.jobId) });
    expect(outcomes[0].status === 'rejected' && isToolError(outcomes[0].reason) && outcomes[0].reason.canceled).toBe(true);
    expect(outcomes[1].status === 'fulfilled' && outcomes[1].value.stdout).toBe('fine\n');
    expect(canceledStep).toMatch(/^\d+\.\d+$/);
    expect(await leftovers()).toEqual({ jobs: [], containers: [] });
  });

  it('counts each task\'s timeoutMs from its step\'s start, and a timeout ends that step', async () => {
    // At concurrency 1 the fifth task waits behind four 2-second tasks (>= 8 s): as long as its
    // 8-s timeout. Each task keeps 6 s of its own for the node's container start under load.
    const started = Date.now();
    const outcomes = await runMany([
      ...Array.from({ length: 5 }, (_, i) => ({ image: busybox, args: ['sh', '-c', `sleep 2; echo ${i}`], options: { timeoutMs: 8_000 } })),
      { image: busybox, args: ['sleep', '300'], options: { timeoutMs: 8_000 } },
    ], { engine: cluster, concurrency: 1, failFast: false });
    expect(outcomes.slice(0, 5).map((o) => o.status === 'fulfilled' && o.value.stdout)).toEqual(['0\n', '1\n', '2\n', '3\n', '4\n']);
    expect(Date.now() - started).toBeGreaterThan(5 * 2_000 + 8_000);
    const timedOut = outcomes[5]!;
    expect(timedOut.status === 'rejected' && isToolError(timedOut.reason) && timedOut.reason.timedOut).toBe(true);
    expect(await leftovers()).toEqual({ jobs: [], containers: [] });
  });

  it('failFast: the first failure ends every step and the allocation', async () => {
    const tasks = Array.from({ length: 5 }, (_, i) => ({ image: busybox, args: i === 0 ? ['sh', '-c', 'sleep 1; exit 3'] : ['sleep', '300'] }));
    let last: FanOutProgress | undefined;
    const error = await runMany(tasks, { engine: cluster, concurrency: 3, onProgress: (p) => (last = p) }).then(() => undefined, (e: unknown) => e);
    expect(isToolError(error) && error.exitCode).toBe(3);
    expect(last!.tasks.slice(1).every((t) => t.state === 'canceled')).toBe(true);
    expect(await leftovers()).toEqual({ jobs: [], containers: [] });
  });
});
