import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidInputError, isToolError, runMany, runTool, type FanOutProgress, type ToolError } from '@tooldock/core';
import { session } from '@tooldock/core/docker';
import { activeJobs, sessionContainers, testCluster } from '#test-support/slurm-engine.js';
import { testImages } from '#test-support/test-images.js';
import { oomAfterRunning } from '#test-support/oom-tool.js';
import { rejection } from '#test-support/tool-rejection.js';

const { busybox } = testImages();
const cluster = testCluster();

describe('runMany on a Slurm cluster', () => {
  it('runs a burst on the worker steps of one allocation and shows step id, state and node per task', async () => {
    let last: FanOutProgress | undefined;
    const states = new Set<string>();
    const results = await runMany(
      Array.from({ length: 6 }, (_, i) => ({ image: busybox, args: ['sh', '-c', `echo task${i}`] })),
      {
        engine: cluster,
        concurrency: 4,
        onProgress: (p) => {
          last = p;
          if (p.task.jobState) states.add(p.task.jobState);
        },
      },
    );
    expect(results.map((r) => r.stdout)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `task${i}\n`));
    const stepIds = last!.tasks.map((t) => t.jobId!);
    // One allocation: the same job id; one worker step per slot runs its tasks one after another.
    expect(new Set(stepIds.map((id) => id.split('.')[0])).size).toBe(1);
    expect(new Set(stepIds.map((id) => id.split('.')[1])).size).toBeLessThanOrEqual(4);
    expect(states.has('RUNNING') || states.has('COMPLETED')).toBe(true);
    expect(last!.tasks.every((t) => t.node === 'n1' || t.node === 'n2')).toBe(true);
    // Each step's script removed its container: none is left behind.
    expect(sessionContainers(session.id)).toEqual([]);
  });

  it('canceling a fan-out ends all its jobs and containers', async () => {
    const controller = new AbortController();
    const running = runMany(
      Array.from({ length: 8 }, () => ({ image: busybox, args: ['sleep', '300'] })),
      {
        engine: cluster,
        signal: controller.signal,
        failFast: false,
        onProgress: (p) => p.tasks.filter((t) => t.jobState === 'RUNNING').length === 4 && controller.abort(),
      },
    );
    const outcomes = await running;
    expect(outcomes.every((o) => o.status === 'rejected' && isToolError(o.reason) && (o.reason as ToolError).canceled)).toBe(true);
    for (let i = 0; i < 120 && (activeJobs().length || sessionContainers(session.id).length); i++) await new Promise((r) => setTimeout(r, 250));
    expect(activeJobs()).toEqual([]);
    expect(sessionContainers(session.id)).toEqual([]);
  });

  it('reports a container OOM kill as oomKilled', async () => {
    // Released once the node's container runs: an OOM kill before containerd watches the cgroup is never reported (oom-tool.ts).
    const tool = oomAfterRunning(256, session.id);
    const run = runTool(busybox, tool.args, tool.mounts, { engine: cluster, memory: '32m' });
    const [oom] = await Promise.all([rejection(run), tool.release()]);
    expect(oom.exitCode).toBe(137);
    expect(oom.oomKilled).toBe(true);
  });

  it('refuses what a cluster cannot do with one clear InvalidInputError', () => {
    expect(() => runTool(busybox, ['true'], ['/no/such/dir'], { engine: cluster })).toThrow(InvalidInputError);
    expect(() => runTool(busybox, ['true'], ['/var/run'], { engine: cluster })).toThrow(/container runtime socket/);
    expect(() => runMany([], { engine: cluster, reuse: true })).toThrow(InvalidInputError);
    // The spool holds the command lines the nodes run outside any container: never a tool's to write.
    const spool = cluster.spool.root();
    const inSpool = join(spool, 'results');
    mkdirSync(inSpool, { recursive: true });
    for (const path of [spool, inSpool, `${inSpool}:rw`]) {
      expect(() => runTool(busybox, ['true'], [path], { engine: cluster })).toThrow(InvalidInputError);
      expect(() => runTool(busybox, ['true'], [path], { engine: cluster })).toThrow(/in tooldock's spool directory/);
    }
  });
});
