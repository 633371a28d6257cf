import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { connect } from '@tooldock/core';

/** Containers on the shared daemon labelled with a tooldock session id. */
export async function containersOf(session: string): Promise<number> {
  return (await connect().docker.listContainers({ all: true, filters: { label: [`tooldock.session=${session}`] } })).length;
}

/**
 * Starts a fixture script (`node <fixture> <image>`) that prints `SESSION <id>`, then `RUNNING`
 * once its containers run, so a test can stop it by a signal and check what it left.
 */
export async function startHolder(fixture: string, image: string) {
  const child = spawn(process.execPath, [fixture, image], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let session = '';
  for await (const line of createInterface({ input: child.stdout })) {
    if (line.startsWith('SESSION ')) session = line.slice('SESSION '.length);
    if (line === 'RUNNING') break;
  }
  return { child, session, exited };
}

/** Resolves with how long it took until no container of `session` is left; throws after `withinMs`. */
export async function waitUntilGone(session: string, withinMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < withinMs) {
    if ((await containersOf(session)) === 0) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`containers of session ${session} still there after ${withinMs} ms`);
}
