import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPackages } from '#test-support/built-packages.js';
import { connect } from '@tooldock/core';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();
const fixture = fileURLToPath(new URL('./fixtures/held-session.mjs', import.meta.url));

async function containersOf(session: string): Promise<number> {
  return (await connect().docker.listContainers({ all: true, filters: { label: [`tooldock.session=${session}`] } })).length;
}

async function startHolder() {
  const child = spawn(process.execPath, [fixture, busybox], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })));
  let session = '';
  for await (const line of createInterface({ input: child.stdout })) {
    if (line.startsWith('SESSION ')) session = line.slice('SESSION '.length);
    if (line === 'RUNNING') break;
  }
  expect(await containersOf(session)).toBe(2);
  return { child, session, exited };
}

async function waitUntilGone(session: string, withinMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < withinMs) {
    if ((await containersOf(session)) === 0) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`containers of session ${session} still there after ${withinMs} ms`);
}

describe('no orphaned session containers', () => {
  beforeAll(async () => {
    await buildPackages();
  }, 120_000);

  it('SIGINT: the signal handlers remove the session containers', async () => {
    const { child, session, exited } = await startHolder();
    child.kill('SIGINT');
    expect(await exited).toEqual({ code: null, signal: 'SIGINT' });
    expect(await containersOf(session)).toBe(0);
  });

  it('SIGKILL: the reaper removes the session containers within 15 s', async () => {
    const { child, session, exited } = await startHolder();
    child.kill('SIGKILL');
    expect((await exited).signal).toBe('SIGKILL');
    expect(await waitUntilGone(session, 15_000)).toBeLessThan(15_000);
  });
});
