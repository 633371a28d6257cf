import { describe, expect, it } from 'vitest';
import { isToolError, runMany, runTool } from '@tooldock/core';
import { usePrivateDaemon } from '#test-support/private-daemon.js';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();

describe('the daemon dies and comes back while tasks run', () => {
  const daemon = usePrivateDaemon([busybox]);

  it('fails every running task with a clear error, without hanging, and works again after a restart', async () => {
    const engine = daemon.engine();
    let running = 0;
    const fanOut = runMany(
      Array.from({ length: 6 }, () => ({ image: busybox, args: ['sleep', '60'] })),
      { engine, concurrency: 3, failFast: false, onProgress: (p) => (running = p.totals.running) },
    );
    while (running < 3) await new Promise((r) => setTimeout(r, 50));
    const killedAt = Date.now();
    await daemon.kill();
    const outcomes = await fanOut;
    const failedWithin = Date.now() - killedAt;
    expect(failedWithin).toBeLessThan(30_000);
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
    for (const outcome of outcomes) {
      const reason = (outcome as { reason: unknown }).reason;
      expect(isToolError(reason)).toBe(true);
      expect((reason as Error).message).toMatch(/daemon|unix:\/\//);
    }
    const lost = (outcomes[0] as { reason: Error }).reason.message;
    expect(lost).toMatch(/Lost track of sleep: the connection to the daemon closed|Cannot reach the Docker daemon/);

    await daemon.start();
    const after = await runTool(busybox, ['echo', 'back'], [], { engine });
    expect(after.stdout).toBe('back\n');
    // The containers whose removal failed during the outage are removed once it answers again.
    let left = -1;
    for (let i = 0; i < 40 && left !== 0; i++) {
      left = (await engine.docker.listContainers({ all: true })).length;
      if (left) await new Promise((r) => setTimeout(r, 250));
    }
    expect(left).toBe(0);
  });
});
