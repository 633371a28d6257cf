import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { connect, InvalidInputError, isToolError, runMany, runTool, type FanOutProgress, type ToolEvent } from '@tooldock/core';
import { WarmAllocation } from '@tooldock/core/slurm';
import { heldBy } from '../../../src/backends/slurm/warm-allocation.js';
import { activeJobs, leftovers, useTestCluster } from '#test-support/slurm-engine.js';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();
useTestCluster();
// Charliecloud on the nodes, as fan-out-steps.test.ts: a step is the tool's whole process tree.
const cluster = connect({
  slurm: { runtime: 'charliecloud', partition: 'main', spoolDir: tempDir('slurm-warm-spool'), images: inject('charliecloudStore') },
});

/** The job ids a run reported, and the engine's jobs in the queue while it ran. */
function watched(): { jobIds: string[]; queued: string[][]; onEvent: (e: ToolEvent) => void } {
  const seen = { jobIds: [] as string[], queued: [] as string[][] };
  return {
    ...seen,
    onEvent: (e) => {
      if (e.type !== 'job:state') return;
      seen.jobIds.push(e.jobId);
      if (e.state === 'RUNNING') seen.queued.push(activeJobs(cluster.jobName).map((line) => line.split(' ')[0]!));
    },
  };
}

// A failed test must not leave the next one an engine that still holds an allocation.
afterEach(async () => {
  await heldBy(cluster)?.release();
});
afterAll(async () => {
  expect(await leftovers(cluster, 'tooldock-warm-never')).toEqual({ jobs: [], processes: [] });
});

describe('a Slurm allocation held warm for single calls (WarmAllocation.hold)', () => {
  it('runs each fitting runTool as a step of the one held allocation, no allocation per call; release gives it back', async () => {
    const held = await WarmAllocation.hold(cluster, { slots: 2 });
    expect(held.jobId).toMatch(/^\d+$/);
    expect(held.slots).toBe(2);
    const runs = [watched(), watched(), watched()];
    // Two at once (both slots), then one more.
    const [a, b] = await Promise.all(
      [0, 1].map((i) =>
        runTool(busybox, ['sh', '-c', `echo call${i}; exit ${i}`], [], { onEvent: runs[i]!.onEvent, engine: cluster }).catch((e: unknown) => e),
      ),
    );
    const c = await runTool(busybox, ['echo', 'call2'], [], { engine: cluster, onEvent: runs[2]!.onEvent });
    expect((a as { stdout: string }).stdout).toBe('call0\n');
    expect(isToolError(b) && b.exitCode === 1 && b.stdout).toBe('call1\n');
    expect(c.stdout).toBe('call2\n');
    for (const run of runs) {
      // Every state of every call is the held job's or one of its steps'.
      expect(run.jobIds.length).toBeGreaterThan(0);
      expect(run.jobIds.every((id) => id === held.jobId || id.startsWith(`${held.jobId}.`))).toBe(true);
      // While it ran, the engine had no job in the queue but the held one.
      expect(run.queued.flat().every((id) => id === held.jobId)).toBe(true);
    }
    // Two slot workers (slot-worker.ts): the third call ran on one of the first two's steps.
    const steps = runs.map((r) => r.jobIds.at(-1));
    expect(steps[0]).not.toBe(steps[1]);
    expect(steps.slice(0, 2)).toContain(steps[2]);
    expect(activeJobs(cluster.jobName).map((l) => l.split(' ')[0])).toEqual([held.jobId]); // still held between calls
    await held.release();
    expect(heldBy(cluster)).toBeUndefined();
    expect(await leftovers(cluster, 'tooldock-warm-never')).toEqual({ jobs: [], processes: [] });
  }, 240_000);

  it('runMany takes the held slots and leaves the allocation held; a run asking for more CPUs goes out on its own', async () => {
    await using held = await WarmAllocation.hold(cluster, { slots: 2 });
    let last: FanOutProgress | undefined;
    const results = await runMany(
      Array.from({ length: 4 }, (_, i) => ({ image: busybox, args: ['echo', `task${i}`] })),
      { engine: cluster, onProgress: (p) => (last = p) },
    );
    expect(results.map((r) => r.stdout)).toEqual(['task0\n', 'task1\n', 'task2\n', 'task3\n']);
    expect(last!.tasks.every((t) => t.jobId?.startsWith(`${held.jobId}.`))).toBe(true);
    expect(activeJobs(cluster.jobName).map((l) => l.split(' ')[0])).toEqual([held.jobId]);

    const own = watched();
    const bigger = await runTool(busybox, ['echo', 'two cpus'], [], { engine: cluster, cpus: 2, onEvent: own.onEvent });
    expect(bigger.stdout).toBe('two cpus\n');
    expect(own.jobIds.length).toBeGreaterThan(0);
    expect(own.jobIds.some((id) => id.startsWith(held.jobId))).toBe(false);
  }, 240_000);

  it('release ends a step still running in it; a second hold and a bad slot count are refused by name', async () => {
    const marker = `tooldock-warm-release-${Date.now()}`;
    const held = await WarmAllocation.hold(cluster, { slots: 1, time: '10' });
    await expect(WarmAllocation.hold(cluster)).rejects.toThrow(`this engine already holds allocation ${held.jobId}: release() it first`);
    let running!: () => void;
    const started = new Promise<void>((resolve) => (running = resolve));
    const call = runTool(busybox, ['sh', '-c', `sh -c 'sleep 300; :' ${marker} & wait`], [], {
      engine: cluster,
      onEvent: (e) => e.type === 'job:state' && e.state === 'RUNNING' && running(),
    }).catch((e: unknown) => e);
    await started;
    await held.release();
    const error = await call;
    expect(isToolError(error)).toBe(true);
    expect(await leftovers(cluster, marker)).toEqual({ jobs: [], processes: [] });

    const bad = await WarmAllocation.hold(cluster, { slots: 0 }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(InvalidInputError);
    expect((bad as InvalidInputError).message).toBe('hold.slots: 0 is not valid: must be at least 1');
    expect(heldBy(cluster)).toBeUndefined();
  }, 240_000);
});
