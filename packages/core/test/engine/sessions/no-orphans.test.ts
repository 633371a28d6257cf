import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPackages } from '#test-support/built-packages.js';
import { containersOf, startHolder, waitUntilGone } from '#test-support/session-holder.js';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();
const fixture = fileURLToPath(new URL('./fixtures/held-session.mjs', import.meta.url));

/** Starts the fixture and resolves once its 2 containers run. */
async function startSessions() {
  const held = await startHolder(fixture, busybox);
  expect(await containersOf(held.session)).toBe(2);
  return held;
}

describe('no orphaned session containers', () => {
  beforeAll(async () => {
    await buildPackages();
  }, 120_000);

  it('SIGINT: the signal handlers remove the session containers', async () => {
    const { child, session, exited } = await startSessions();
    child.kill('SIGINT');
    expect(await exited).toEqual({ code: null, signal: 'SIGINT' });
    expect(await containersOf(session)).toBe(0);
  });

  it('SIGKILL: the reaper removes the session containers within 15 s', async () => {
    const { child, session, exited } = await startSessions();
    child.kill('SIGKILL');
    expect((await exited).signal).toBe('SIGKILL');
    expect(await waitUntilGone(session, 15_000)).toBeLessThan(15_000);
  });
});
