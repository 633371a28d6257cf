import { describe, expect, it } from 'vitest';
import { runTool, type ToolEvent } from '@tooldock/core';
import { usePrivateDaemon } from '#test-support/private-daemon.js';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();
// A daemon of this file's own, which it may kill and restart without touching the shared one.
const daemon = usePrivateDaemon([busybox]);

/** Restarts the daemon at the first retry announcement; resolves once it answers again. */
function restartOnFirstRetry(events: ToolEvent[]) {
  let restarted: Promise<void> | undefined;
  return {
    onEvent: (event: ToolEvent) => {
      events.push(event);
      if (event.type === 'retry') restarted ??= daemon.start();
    },
    restarted: () => restarted,
  };
}

describe('retry on daemon hiccups (a real dockerd, killed and restarted)', () => {
  it('a daemon that is down when the run starts: retried until it is back', async () => {
    await daemon.kill();
    const events: ToolEvent[] = [];
    const restart = restartOnFirstRetry(events);
    const result = await runTool(busybox, ['echo', 'hello'], [], {
      engine: daemon.engine(),
      timeoutMs: 100_000,
      retry: { attempts: 60, when: 'daemon', backoffMs: 1000 },
      onEvent: restart.onEvent,
    });
    await restart.restarted();
    const retries = events.filter((e) => e.type === 'retry');
    expect(result.stdout).toBe('hello\n');
    expect(result.attempts).toBe(retries.length + 1);
    expect(result.attempts).toBeGreaterThanOrEqual(2);
    expect(retries.every((e) => e.reason === 'daemon')).toBe(true);
    expect(retries[0]!.error).toMatch(/Cannot reach the Docker daemon/);
  }, 120_000);

  it('a daemon that dies during the first attempt: the run carries on in a second one', async () => {
    const events: ToolEvent[] = [];
    const restart = restartOnFirstRetry(events);
    let killed: Promise<void> | undefined;
    const result = await runTool(busybox, ['sh', '-c', 'sleep 3; echo finished'], [], {
      engine: daemon.engine(),
      timeoutMs: 100_000,
      retry: { attempts: 60, when: 'daemon', backoffMs: 1000 },
      onEvent: (event) => {
        restart.onEvent(event);
        if (event.type === 'container:started' && !killed) killed = daemon.kill();
      },
    });
    await killed;
    await restart.restarted();
    const retries = events.filter((e) => e.type === 'retry');
    expect(result.stdout).toBe('finished\n');
    expect(result.attempts).toBeGreaterThanOrEqual(2);
    expect(retries.every((e) => e.reason === 'daemon')).toBe(true);
    expect(events.filter((e) => e.type === 'container:started').length).toBe(2);
    // The first attempt lost its connection mid-run (the wait for the exit was reset).
    expect(retries[0]!.error).toMatch(/^Lost track of sh: Cannot reach the Docker daemon .*ECONNRESET/);
  }, 120_000);

  it('the same outage is a failure without `when: "daemon"`', async () => {
    await daemon.kill();
    try {
      const error = await runTool(busybox, ['true'], [], { engine: daemon.engine(), retry: { attempts: 3, when: 'oom', backoffMs: 0 } }).then(
        () => undefined,
        (e: unknown) => e as { attempts: number; shortMessage: string },
      );
      expect(error?.attempts).toBe(1);
      expect(error?.shortMessage).toMatch(/Cannot reach the Docker daemon/);
    } finally {
      await daemon.start();
    }
  }, 120_000);
});
