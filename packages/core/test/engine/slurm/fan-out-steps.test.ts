import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { connect, isToolError, runMany, type FanOutProgress, type ToolError, type ToolEvent } from '@tooldock/core';
import { leftovers, useTestCluster } from '#test-support/slurm-engine.js';
import { tempDir } from '#test-support/temp-dir.js';
import { expectTimeoutCountedFromStart } from '#test-support/queued-timeout.js';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();
useTestCluster();
// Charliecloud on the nodes: a step is then the tool's whole process tree (no daemon between), and
// its start does not queue behind the machine's shared Docker daemon. Docker nodes: fan-out.test.ts.
const cluster = connect({
  slurm: { runtime: 'charliecloud', partition: 'main', spoolDir: tempDir('slurm-steps-spool'), images: inject('charliecloudStore'), fanOut: 'steps' },
});
afterAll(async () => {
  expect(await leftovers(cluster, 'tooldock-steps-never')).toEqual({ jobs: [], processes: [] });
});

describe('runMany on a Slurm cluster: job steps in one allocation', () => {
  it("runs the tasks on one worker step per slot: each task's output and exit code, never more than `concurrency` at once, no job left after", async () => {
    const dir = tempDir('slurm-steps');
    chmodSync(dir, 0o777);
    // Each task marks itself running, counts the marks present (its own included), then unmarks.
    const task = (i: number) => ({
      image: busybox,
      mounts: [`${dir}:rw`],
      args: [
        'sh',
        '-c',
        `touch ${dir}/run-${i}; sleep 0.3; ls ${dir} | grep -c '^run-' > ${dir}/seen-${i}; rm ${dir}/run-${i}; echo out${i}; echo err${i} >&2; exit ${i % 3}`,
      ],
    });
    let last: FanOutProgress | undefined;
    const outcomes = await runMany(
      Array.from({ length: 8 }, (_, i) => task(i)),
      { engine: cluster, concurrency: 2, failFast: false, onProgress: (p) => (last = p) },
    );

    outcomes.forEach((outcome, i) => {
      const result = outcome.status === 'fulfilled' ? outcome.value : (outcome.reason as ToolError);
      expect(result.exitCode).toBe(i % 3);
      expect(result.stdout).toBe(`out${i}\n`);
      expect(result.stderr).toBe(`err${i}\n`);
    });
    const stepIds = last!.tasks.map((t) => t.jobId!);
    expect(new Set(stepIds.map((id) => id.split('.')[0])).size).toBe(1);
    // One worker step per slot runs its tasks one after another: no step (no srun) per task.
    expect(new Set(stepIds).size).toBeLessThanOrEqual(2);
    const seen = Array.from({ length: 8 }, (_, i) => Number(readFileSync(join(dir, `seen-${i}`), 'utf8')));
    expect(Math.max(...seen)).toBeLessThanOrEqual(2);
    // The allocation is given back before runMany returns (it may still be COMPLETING).
    expect(await leftovers(cluster, 'tooldock-steps-never')).toEqual({ jobs: [], processes: [] });
  }, 240_000);

  it("cancels one task's step (scancel of <job>.<step>) while the others run on", async () => {
    const marker = `tooldock-steps-cancel-${Date.now()}`;
    const controller = new AbortController();
    const onEvent = (e: ToolEvent) => e.type === 'job:state' && e.state === 'RUNNING' && controller.abort();
    let canceledStep: string | undefined;
    const outcomes = await runMany(
      [
        { image: busybox, args: ['sh', '-c', `sh -c 'sleep 300; :' ${marker} & wait`], options: { signal: controller.signal, onEvent } },
        { image: busybox, args: ['sh', '-c', 'sleep 1; echo fine'] },
      ],
      {
        engine: cluster,
        concurrency: 2,
        failFast: false,
        onProgress: (p) => p.task.index === 0 && p.task.jobId?.includes('.') && (canceledStep = p.task.jobId),
      },
    );
    const [canceled, fine] = outcomes;
    expect(canceled.status === 'rejected' && isToolError(canceled.reason) && canceled.reason.canceled).toBe(true);
    expect(fine.status === 'fulfilled' && fine.value.stdout).toBe('fine\n');
    expect(canceledStep).toMatch(/^\d+\.\d+$/);
    expect(await leftovers(cluster, marker)).toEqual({ jobs: [], processes: [] });
  }, 240_000);

  it("a cancelled task's worker step ends with it; the next task gets a new worker, which runs the one after it too", async () => {
    const marker = `tooldock-steps-worker-${Date.now()}`;
    const controller = new AbortController();
    const onEvent = (e: ToolEvent) => e.type === 'job:state' && e.state === 'RUNNING' && controller.abort();
    let last: FanOutProgress | undefined;
    const outcomes = await runMany(
      [
        { image: busybox, args: ['sh', '-c', `sh -c 'sleep 300; :' ${marker} & wait`], options: { signal: controller.signal, onEvent } },
        { image: busybox, args: ['echo', 'one'] },
        { image: busybox, args: ['echo', 'two'] },
      ],
      { engine: cluster, concurrency: 1, failFast: false, onProgress: (p) => (last = p) },
    );
    const [canceled, one, two] = outcomes;
    expect(canceled.status === 'rejected' && isToolError(canceled.reason) && canceled.reason.canceled).toBe(true);
    expect(one.status === 'fulfilled' && one.value.stdout).toBe('one\n');
    expect(two.status === 'fulfilled' && two.value.stdout).toBe('two\n');
    const [canceledStep, oneStep, twoStep] = last!.tasks.map((t) => t.jobId);
    expect(oneStep).toMatch(/^\d+\.\d+$/);
    expect(oneStep).not.toBe(canceledStep);
    expect(twoStep).toBe(oneStep);
    expect(await leftovers(cluster, marker)).toEqual({ jobs: [], processes: [] });
  }, 240_000);

  it('a task with a time limit of its own gets a step of its own, even while an idle worker holds the only slot', async () => {
    let last: FanOutProgress | undefined;
    const outcomes = await runMany(
      [
        { image: busybox, args: ['echo', 'a'] },
        { image: busybox, args: ['echo', 'b'], options: { timeoutMs: 120_000 } },
        { image: busybox, args: ['echo', 'c'] },
      ],
      { engine: cluster, concurrency: 1, failFast: false, onProgress: (p) => (last = p) },
    );
    expect(outcomes.map((o) => o.status === 'fulfilled' && o.value.stdout)).toEqual(['a\n', 'b\n', 'c\n']);
    const [a, b, c] = last!.tasks.map((t) => t.jobId);
    // b's step ran alone (`--time` of its own); the worker a ran on was ended for it, so c's is new.
    expect(new Set([a, b, c]).size).toBe(3);
  }, 120_000);

  it("srunArgs reach the worker steps; srun's line labels (--label) do not hide a task's end", async () => {
    const labelled = connect({
      slurm: {
        runtime: 'charliecloud',
        partition: 'main',
        spoolDir: tempDir('slurm-steps-label-spool'),
        images: inject('charliecloudStore'),
        srunArgs: ['--label'],
      },
    });
    const outcomes = await runMany(
      [0, 1, 2].map((i) => ({ image: busybox, args: ['echo', `labelled${i}`] })),
      { engine: labelled, concurrency: 2 },
    );
    expect(outcomes.map((o) => o.stdout)).toEqual(['labelled0\n', 'labelled1\n', 'labelled2\n']);
  }, 120_000);

  it("counts a task's timeoutMs from its step's start, not while it waits for a slot", async () => {
    await expectTimeoutCountedFromStart(cluster, busybox, 300_000);
  }, 240_000);

  it('failFast: the first failure ends every step and the allocation', async () => {
    const marker = `tooldock-steps-failfast-${Date.now()}`;
    const tasks = Array.from({ length: 5 }, (_, i) => ({
      image: busybox,
      args: i === 0 ? ['sh', '-c', 'sleep 1; exit 3'] : ['sh', '-c', `sh -c 'sleep 300; :' ${marker} & wait`],
    }));
    let last: FanOutProgress | undefined;
    const error = await runMany(tasks, { engine: cluster, concurrency: 3, onProgress: (p) => (last = p) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isToolError(error) && error.exitCode).toBe(3);
    expect(last!.tasks.slice(1).every((t) => t.state === 'canceled')).toBe(true);
    expect(await leftovers(cluster, marker)).toEqual({ jobs: [], processes: [] });
  }, 240_000);
});
