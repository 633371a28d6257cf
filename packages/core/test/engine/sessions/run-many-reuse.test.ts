import { describe, expect, it } from 'vitest';
import { connect, isToolError, runMany } from '@tooldock/core';
import { session } from '@tooldock/core/docker';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();

async function ourContainers(): Promise<number> {
  return (await connect().docker.listContainers({ all: true, filters: { label: [`tooldock.session=${session.id}`, 'tooldock.tool'] } })).filter((c) =>
    c.Labels['tooldock.tool']?.startsWith('session of'),
  ).length;
}

describe('runMany({ reuse: true })', () => {
  it('spreads tasks over at most `concurrency` warm containers, with the same results', async () => {
    const dir = tempDir('reuse');
    const tasks = Array.from({ length: 12 }, (_, i) => ({ image: busybox, args: ['sh', '-c', `echo ${i} $(hostname)`], mounts: [dir] }));
    const results = await runMany(tasks, { concurrency: 3, reuse: true });
    const numbers = results.map((r) => (r.stdout as string).split(' ')[0]);
    expect(numbers).toEqual(tasks.map((_, i) => String(i)));
    const hosts = new Set(results.map((r) => (r.stdout as string).trim().split(' ')[1]));
    expect(hosts.size).toBeGreaterThanOrEqual(1);
    expect(hosts.size).toBeLessThanOrEqual(3);
    expect(results.every((r) => r.exitCode === 0)).toBe(true);
    // The pool is closed when the fan-out ends.
    expect(await ourContainers()).toBe(0);
  });

  it('reports failures as without reuse (failFast: false settles every task)', async () => {
    const tasks = [
      { image: busybox, args: ['true'] },
      { image: busybox, args: ['sh', '-c', 'echo broken >&2; exit 4'] },
      { image: busybox, args: ['echo', 'ok'] },
    ];
    const settled = await runMany(tasks, { concurrency: 2, reuse: true, failFast: false });
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const reason = (settled[1] as { reason: unknown }).reason;
    expect(isToolError(reason) && reason.exitCode).toBe(4);
    expect(isToolError(reason) && reason.stderrTail).toContain('broken');
    const failFast = await runMany(tasks, { concurrency: 1, reuse: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isToolError(failFast) && failFast.exitCode).toBe(4);
    expect(await ourContainers()).toBe(0);
  });

  it('a task whose image is missing fails as runTool would', async () => {
    const error = await runMany([{ image: 'tooldock-test/does-not-exist:1', args: ['true'], options: { pull: 'never' } }], { reuse: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isToolError(error)).toBe(true);
    expect((error as Error).message).toMatch(/does-not-exist/);
  });
});
