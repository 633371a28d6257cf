import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPackages } from '#test-support/built-packages.js';
import { cleanupOrphans, connect, runTool } from '@tooldock/core';
import { containersOf, startHolder, waitUntilGone } from '#test-support/session-holder.js';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();
const fixture = fileURLToPath(new URL('./fixtures/long-fan-out.mjs', import.meta.url));

/** Starts the fixture and resolves once its 4 containers run. */
async function startFanOut() {
  const held = await startHolder(fixture, busybox);
  expect(await containersOf(held.session)).toBe(4);
  return held;
}

describe('no orphans when the process is stopped', () => {
  beforeAll(async () => {
    await buildPackages();
  }, 120_000);

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal}: removes the running containers, then dies of the signal as it would have`, async () => {
      const { child, session, exited } = await startFanOut();
      child.kill(signal);
      expect(await exited).toEqual({ code: null, signal });
      expect(await containersOf(session)).toBe(0);
    });
  }

  it('SIGKILL: the reaper removes every container within 15 s', async () => {
    const { child, session, exited } = await startFanOut();
    child.kill('SIGKILL');
    expect((await exited).signal).toBe('SIGKILL');
    const tookMs = await waitUntilGone(session, 15_000);
    expect(tookMs).toBeLessThan(15_000);
  });

  it('cleanupOrphans removes containers of dead sessions only', async () => {
    const live = runTool(busybox, ['sleep', '30']);
    await live.containerId;
    // A container as a dead process would have left it: our host, a pid that no longer exists.
    const dead = await connect().docker.createContainer({
      Image: busybox,
      Cmd: ['true'],
      Labels: { 'tooldock.session': 'dead-session', 'tooldock.pid': '999999', 'tooldock.host': (await import('node:os')).hostname() },
    });
    const report = await cleanupOrphans();
    expect(report.removed.map((r) => r.id)).toContain(dead.id);
    expect(report.removed.find((r) => r.id === dead.id)!.reason).toBe('process 999999 on this host is gone');
    expect(await live.containerId).not.toBe(dead.id);
    live.cancel();
    await live.catch(() => {});
  });
});
