import { createServer, type Server } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMany, runTool, type ToolError } from '@tooldock/core';
import { usePrivateDaemon } from '#test-support/private-daemon.js';
import { testImages } from '#test-support/test-images.js';
import { rejection } from '#test-support/tool-rejection.js';

const { busybox } = testImages();

/** The run's rejection, which must be a ToolError. */

/** Milliseconds a promise takes to settle. */
async function settleTime(promise: PromiseLike<unknown>): Promise<number> {
  const start = Date.now();
  await Promise.resolve(promise).catch(() => {});
  return Date.now() - start;
}

// Threat model, "the caller" and "the remote daemon": no value and no daemon state makes a run
// hang past its timeout, and no stream error escapes as an uncaught exception.
describe('every run settles, bounded by its cancel/timeout', () => {
  it('a reader that stops reading does not keep a timed-out tool alive', async () => {
    // Before: the demuxer waited for the stalled Writable forever; the daemon then blocked on
    // the attach stream and neither the kill nor the run ever finished.
    const stalled = new Writable({
      highWaterMark: 1024,
      write() {
        /* never calls back */
      },
    });
    const run = runTool(busybox, ['sh', '-c', 'while true; do echo 0123456789abcdef0123456789abcdef; done'], [], {
      stdout: stalled,
      timeoutMs: 4000,
    });
    const error = await rejection(run);
    expect(error.timedOut).toBe(true);
    expect(error.killed).toBe(true);
  });

  it('cancel() works while run.stdout is piped into a stalled stream', async () => {
    const stalled = new Writable({
      highWaterMark: 16,
      write() {
        /* never calls back */
      },
    });
    const run = runTool(busybox, ['sh', '-c', 'yes tooldock']);
    run.stdout.pipe(stalled);
    await run.containerId;
    await new Promise((resolve) => setTimeout(resolve, 500));
    run.cancel();
    const error = await rejection(run);
    expect(error.canceled).toBe(true);
  });

  it("a timeoutMs beyond setTimeout's range (2^31 ms) does not fire at once", async () => {
    // Before: Node clamps such delays to 1 ms; the tool was killed and reported as timed out.
    const result = await runTool(busybox, ['sh', '-c', 'sleep 1; echo done'], [], { timeoutMs: 2 ** 31 + 1000 });
    expect(result.stdout).toBe('done\n');
    expect(result.timedOut).toBe(false);
  });

  it('a stdin stream that fails ends the run with a ToolError, not the process', async () => {
    // Before: the error reached a stream without a listener and crashed Node (in a notebook: the kernel).
    const input = new PassThrough();
    const run = runTool(busybox, ['sh', '-c', 'cat > /dev/null; sleep 30'], [], { stdin: input });
    await run.containerId;
    input.write('some bytes\n');
    setTimeout(() => input.destroy(new Error('upstream broke')), 300);
    const error = await rejection(run);
    expect(error.shortMessage).toBe("Could not read the tool's stdin (upstream broke): sh");
    expect(error.canceled).toBe(false);
    expect(error.timedOut).toBe(false);
  });

  it('a fan-out of many tasks sharing one signal prints no MaxListenersExceededWarning', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    try {
      const controller = new AbortController();
      const tasks = Array.from({ length: 14 }, (_, i) => ({ image: busybox, args: ['sh', '-c', `sleep 1; echo ${i}`] }));
      const results = await runMany(tasks, { concurrency: 14, signal: controller.signal });
      expect(results.map((r) => r.stdout)).toEqual(tasks.map((_, i) => `${i}\n`));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => /MaxListeners/.test(w))).toEqual([]);
  });
});

describe('a daemon that stops answering', () => {
  const daemon = usePrivateDaemon([busybox]);

  it('cannot hold a running tool past its timeout, and the container goes once it answers again', async () => {
    const engine = daemon.engine();
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const run = runTool(busybox, ['sleep', '120'], [], { engine, timeoutMs: 4000, onEvent: (e) => e.type === 'container:started' && started() });
    const id = await run.containerId;
    await running;
    daemon.freeze();
    let error: ToolError;
    try {
      // Before: the wait and the kill hung with the daemon; the run never settled.
      const took = await settleTime(run);
      error = await rejection(run);
      // timeout (4 s) + the grace for a kill to be confirmed (10 s) + slack for a loaded machine.
      expect(took).toBeLessThan(25_000);
    } finally {
      daemon.thaw();
    }
    expect(error.timedOut).toBe(true);
    // The removal that was in flight completes once the daemon answers again.
    const deadline = Date.now() + 30_000;
    let left = await engine.docker.listContainers({ all: true, filters: { id: [id] } });
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      left = await engine.docker.listContainers({ all: true, filters: { id: [id] } });
    }
    expect(left).toEqual([]);
  }, 90_000);

  it('cannot hold a run that has not started past its timeout', async () => {
    const engine = daemon.engine();
    await engine.ping();
    daemon.freeze();
    let error: ToolError;
    try {
      error = await rejection(runTool(busybox, ['true'], [], { engine, timeoutMs: 2000 }));
    } finally {
      daemon.thaw();
    }
    expect(error.timedOut).toBe(true);
    expect(error.shortMessage).toMatch(/^Command timed out after 2000 ms before it started \(while .+\): true$/);
  }, 60_000);
});

describe('a pull that never finishes', () => {
  // A "registry" on loopback that accepts connections and never answers: the daemon's pull hangs.
  let server: Server;
  let port: number;
  const sockets = new Set<import('node:net').Socket>();
  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('is ended by timeoutMs as a timeout', async () => {
    // Before: the pull ignored the timeout and settled ~25 s later as "could not pull".
    const run = runTool(`127.0.0.1:${port}/hang/forever:1`, ['true'], [], { timeoutMs: 1500 });
    const took = await settleTime(run);
    const error = await rejection(run);
    expect(error.timedOut).toBe(true);
    expect(error.shortMessage).toBe(`Command timed out after 1500 ms before it started (while pulling 127.0.0.1:${port}/hang/forever:1): true`);
    expect(took).toBeLessThan(10_000);
  });

  it('is ended by the signal as a cancel', async () => {
    const controller = new AbortController();
    const run = runTool(`127.0.0.1:${port}/hang/forever:2`, ['true'], [], { signal: controller.signal });
    setTimeout(() => controller.abort(), 1000);
    const took = await settleTime(run);
    const error = await rejection(run);
    expect(error.canceled).toBe(true);
    expect(error.shortMessage).toBe(`Command was canceled before it started (while pulling 127.0.0.1:${port}/hang/forever:2): true`);
    expect(took).toBeLessThan(10_000);
  });
});
