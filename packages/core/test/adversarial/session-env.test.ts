import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, isToolError, runMany, toolSession, type ToolEvent, type ToolRun, type ToolSession } from '@tooldock/core';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();
const opened: ToolSession[] = [];

async function open(): Promise<ToolSession> {
  const session = await toolSession(busybox);
  opened.push(session);
  return session;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

/** A value no other test plants: found anywhere, it leaked from this test. */
const planted = () => `planted-${randomBytes(12).toString('hex')}`;

/** Prints the env of every process it can see in the container, one variable a line. */
const SCAN = 'for f in /proc/[0-9]*/environ; do tr "\\0" "\\n" < "$f"; done 2>/dev/null; true';

/** The commands running in the session's container, as the daemon sees them (`docker top`). */
async function processesIn(containerId: string): Promise<string[]> {
  const top = await connect().docker.getContainer(containerId).top({ ps_args: '-o pid,args' });
  return top.Processes.map((p: string[]) => p[1]!);
}

/** One run's events, and a wait for the first of a type, resolved by the event itself. */
function watch() {
  const events: ToolEvent[] = [];
  const waiters: Array<{ type: ToolEvent['type']; resolve: () => void }> = [];
  return {
    events,
    onEvent: (event: ToolEvent) => {
      events.push(event);
      for (const waiter of waiters) if (waiter.type === event.type) waiter.resolve();
    },
    next: (type: ToolEvent['type']) =>
      events.some((e) => e.type === type) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ type, resolve })),
  };
}

/** Which comes first: the run settling, or it saying it waits for its turn. */
function settledOrWaiting(run: ToolRun, watched: ReturnType<typeof watch>): Promise<'settled' | 'waiting'> {
  return Promise.race([
    Promise.resolve(run).then(
      () => 'settled' as const,
      () => 'settled' as const,
    ),
    watched.next('session:waiting').then(() => 'waiting' as const),
  ]);
}

// Issue 23, weak item: concurrent calls in one warm session could read each other's per-call env
// through /proc/<pid>/environ (one user, one container), e.g. a secret passed to one call.
describe('a call with its own env runs alone in its warm session', () => {
  it('a concurrent call cannot read the secret of a call that is running', async () => {
    const s = await open();
    const secret = planted();
    const aEvents = watch();
    const a = s.run(['sleep', '300'], { env: { SECRET: secret }, onEvent: aEvents.onEvent });
    a.catch(() => {});
    await aEvents.next('container:started');
    const bEvents = watch();
    const b = s.run(['sh', '-c', SCAN], { onEvent: bEvents.onEvent });
    // Without the rule, B runs beside A at once and prints A's env: the assertion below fails.
    if ((await settledOrWaiting(b, bEvents)) === 'waiting') {
      expect(bEvents.events.find((e) => e.type === 'session:waiting')).toMatchObject({
        sessionId: s.containerId,
        reason: expect.stringMatching(/runs alone/),
      });
      expect(bEvents.events.map((e) => e.type)).not.toContain('container:created'); // nothing of B exists yet
      a.cancel();
    }
    const scanned = await b;
    expect(scanned.stdout).not.toContain(secret);
    expect(scanned.stdout).toContain('PATH='); // the scan did read environs (its own at least)
    const error = await Promise.resolve(a).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isToolError(error) && error.canceled).toBe(true);
  });

  it('what the secret call left running (in the background, or setsid) is killed when it ends', async () => {
    const s = await open();
    const secret = planted();
    const left = 'sleep 300 >/dev/null 2>&1 </dev/null & setsid sleep 301 >/dev/null 2>&1 </dev/null & echo left';
    expect((await s.run(['sh', '-c', left], { env: { SECRET: secret } })).stdout).toBe('left\n');
    const scanned = await s.run(['sh', '-c', SCAN]);
    expect(scanned.stdout).not.toContain(secret);
    expect((await processesIn(s.containerId)).filter((p) => /^sleep 30[01]$/.test(p))).toEqual([]);
  });

  it('a scanner an earlier call left behind (setsid) is killed before the secret enters the container', async () => {
    const s = await open();
    const secret = planted();
    const loop = `while :; do for f in /proc/[0-9]*/environ; do tr "\\0" "\\n" < "$f" | grep planted- >> /tmp/loot; done 2>/dev/null; done`;
    await s.run(['sh', '-c', `setsid sh -c '${loop}' >/dev/null 2>&1 </dev/null & until [ -e /tmp/loot ]; do :; done; echo scanning`]);
    // The secret call lives long enough for a scanner that survived to catch it many times over.
    await s.run(['sleep', '1'], { env: { SECRET: secret } });
    const loot = await s.run(['sh', '-c', 'cat /tmp/loot']);
    expect(loot.stdout).not.toContain(secret);
  });

  it('waiting is bounded by the call: cancel or timeout while waiting settles it at once, nothing started', async () => {
    const s = await open();
    const alone = s.run(['sleep', '300'], { env: { SECRET: planted() } });
    alone.catch(() => {});
    await alone.containerId;
    const watched = watch();
    const canceled = s.run(['sh', '-c', 'echo started > /tmp/canceled-ran'], { onEvent: watched.onEvent });
    expect(await settledOrWaiting(canceled, watched)).toBe('waiting');
    canceled.cancel();
    const error = await Promise.resolve(canceled).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isToolError(error) && error.canceled).toBe(true);
    expect((error as Error).message).toMatch(/waiting for its turn in the session/);
    expect(watched.events.map((e) => e.type)).not.toContain('container:created');
    const timedOut = await Promise.resolve(s.run(['true'], { timeoutMs: 1_000 })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isToolError(timedOut) && timedOut.timedOut).toBe(true);
    alone.cancel();
    await Promise.resolve(alone).catch(() => {});
    // Neither waiting call ever ran, and the session takes calls again.
    expect((await s.run(['sh', '-c', 'ls /tmp/canceled-ran 2>&1; echo next'], { reject: false })).stdout).toMatch(/No such file[\s\S]*next\n$/);
  });

  it('calls are let in in order: a call queued behind a waiting call with its own env does not overtake it', async () => {
    const s = await open();
    const first = s.run(['sleep', '300']);
    first.catch(() => {});
    await first.containerId;
    const order: string[] = [];
    const secretEvents = watch();
    const secret = s.run(['true'], { env: { SECRET: planted() }, onEvent: secretEvents.onEvent });
    expect(await settledOrWaiting(secret, secretEvents)).toBe('waiting');
    const plainEvents = watch();
    const plain = s.run(['true'], { onEvent: plainEvents.onEvent });
    // Unfair, the plain call would join the running one (both share) and end first.
    expect(await settledOrWaiting(plain, plainEvents)).toBe('waiting');
    const settled = [secret, plain].map((run, i) => Promise.resolve(run).then(() => order.push(['secret', 'plain'][i]!)));
    first.cancel();
    await Promise.all(settled);
    expect(order).toEqual(['secret', 'plain']);
  });

  it("runMany({ reuse: true }): a task's env stays out of the pooled container, so the next task does not inherit it", async () => {
    const secret = planted();
    const results = await runMany(
      [
        { image: busybox, args: ['true'], options: { env: { SECRET: secret } } },
        { image: busybox, args: ['sh', '-c', SCAN] },
      ],
      { concurrency: 1, reuse: true },
    );
    expect(results[1]!.stdout).toContain('PATH=');
    expect(results[1]!.stdout).not.toContain(secret);
  });
});
