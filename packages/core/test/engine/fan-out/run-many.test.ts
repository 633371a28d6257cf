import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidInputError, isToolError, runMany, type FanOutProgress, type TaskState } from '@tooldock/core';
import { testImages } from '#test-support/test-images.js';
import { watchContainers } from './engine-events.js';

const { busybox } = testImages();
const settle = () => new Promise((r) => setTimeout(r, 300)); // let the last events arrive

function labelled() {
  const value = randomUUID();
  return { label: `fanout-test=${value}`, labels: { 'fanout-test': value } };
}

describe('runMany', () => {
  it('never runs more than `concurrency` containers, and runs them side by side', async () => {
    const { label, labels } = labelled();
    const watch = await watchContainers(label);
    const results = await runMany(
      Array.from({ length: 12 }, (_, i) => ({ image: busybox, args: ['sh', '-c', `sleep 1.5; echo task-${i}`], options: { labels } })),
      { concurrency: 3 },
    );
    await settle();
    watch.stop();
    expect(results.map((r) => r.stdout)).toEqual(Array.from({ length: 12 }, (_, i) => `task-${i}\n`));
    expect(watch.started()).toBe(12);
    expect(watch.maxRunning()).toBeLessThanOrEqual(3);
    expect(watch.maxRunning()).toBeGreaterThanOrEqual(2);
    // Side by side is proven by the daemon's own events (two or more running at once); how much
    // faster than serial that is depends on the machine's load and belongs in `pnpm bench`.
  });

  it('failFast: the first failure cancels the rest; queued tasks never start', async () => {
    const { label, labels } = labelled();
    const watch = await watchContainers(label);
    const tasks = [
      { image: busybox, args: ['sh', '-c', 'echo broken >&2; exit 2'], options: { labels }, name: 'bad' },
      { image: busybox, args: ['sleep', '30'], options: { labels }, name: 'slow' },
      ...Array.from({ length: 4 }, () => ({ image: busybox, args: ['sleep', '30'], options: { labels } })),
    ];
    const started = Date.now();
    const error = await runMany(tasks, { concurrency: 2 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await settle();
    watch.stop();
    expect(isToolError(error) && error.exitCode).toBe(2);
    expect(isToolError(error) && error.stderrTail).toBe('broken');
    expect(Date.now() - started).toBeLessThan(20_000); // the sleeps were killed
    expect(watch.started()).toBeLessThanOrEqual(3); // the two first and at most one replacement
  });

  it('failFast: false returns every outcome in task order', async () => {
    const outcomes = await runMany(
      [{ image: busybox, args: ['echo', 'one'] }, { image: busybox, args: ['sh', '-c', 'exit 4'] }, async () => 'from a function'],
      { failFast: false, concurrency: 2 },
    );
    expect(outcomes[0]).toMatchObject({ status: 'fulfilled', value: { stdout: 'one\n' } });
    expect(outcomes[1]!.status).toBe('rejected');
    expect(isToolError((outcomes[1] as { reason: unknown }).reason) && (outcomes[1] as { reason: { exitCode: number } }).reason.exitCode).toBe(4);
    expect(outcomes[2]).toEqual({ status: 'fulfilled', value: 'from a function' });
  });

  it('abort mid-run: running containers removed, queued tasks never start', async () => {
    const { label, labels } = labelled();
    const watch = await watchContainers(label);
    const controller = new AbortController();
    const seen: TaskState[][] = [];
    const run = runMany(
      Array.from({ length: 6 }, () => ({ image: busybox, args: ['sleep', '30'], options: { labels } })),
      {
        concurrency: 2,
        signal: controller.signal,
        onProgress: (p) => {
          seen.push(p.tasks.map((t) => t.state));
          if (p.totals.running === 2) controller.abort();
        },
      },
    );
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    await settle();
    watch.stop();
    expect(isToolError(error) && error.canceled).toBe(true);
    expect(watch.started()).toBe(2);
    expect(seen.at(-1)).toEqual(Array(6).fill('canceled'));
  });

  it('passes the signal to function tasks and reports progress with a final event', async () => {
    const events: FanOutProgress[] = [];
    const shellStates: TaskState[] = [];
    const results = await runMany(
      [
        async (signal) => (signal instanceof AbortSignal ? 'got a signal' : 'no signal'),
        { image: busybox, args: ['sh', '-c', 'echo progress-line; echo last-line >&2'], name: 'shell' },
      ],
      {
        concurrency: 2,
        onProgress: (p) => {
          events.push({ ...p, tasks: p.tasks.map((t) => ({ ...t })) });
          if (p.task.index === 1) shellStates.push(p.task.state);
        },
      },
    );
    expect(results[0]).toBe('got a signal');
    expect(results[1].exitCode).toBe(0);
    const last = events.at(-1)!;
    expect(last.finished).toBe(true);
    expect(last.totals).toMatchObject({ total: 2, done: 2, failed: 0, running: 0, queued: 0 });
    const shell = last.tasks[1]!;
    expect(shell).toMatchObject({ name: 'shell', state: 'done', exitCode: 0 });
    expect(shell.durationMs).toBeGreaterThan(0);
    expect(shellStates[0]).toBe('running');
    expect(shellStates.at(-1)).toBe('done');
  });

  it('validates every task before starting any', () => {
    expect(() =>
      runMany([
        { image: busybox, args: ['true'] },
        { image: busybox, args: ['echo', 1 as unknown as string] },
      ]),
    ).toThrow(InvalidInputError);
    try {
      runMany([
        { image: busybox, args: ['true'] },
        { image: busybox, args: ['true'], options: { cpus: -2 } },
      ]);
    } catch (error) {
      expect((error as InvalidInputError).field).toBe('tasks[1].options.cpus');
    }
    expect(() => runMany([], { concurrency: 0 })).toThrow(/options\.concurrency: 0 is not valid: must be at least 1/);
  });
});
