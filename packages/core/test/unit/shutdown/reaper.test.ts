import { afterEach, describe, expect, it } from 'vitest';
import type { DockerEngine } from '../../../src/backends/docker/engine/docker-engine.js';
import { currentReaper, disabledReaper, watchingReaper } from '../../../src/backends/docker/reaper/reaper.js';

describe('the reaper', () => {
  afterEach(() => {
    delete process.env.TOOLDOCK_REAPER;
  });

  it('TOOLDOCK_REAPER=0 selects the reaper that does nothing, read at each call', async () => {
    process.env.TOOLDOCK_REAPER = '0';
    expect(currentReaper()).toBe(disabledReaper);
    // Nothing is started, so an engine is never looked at.
    await expect(disabledReaper.ensureRunning({} as DockerEngine)).resolves.toBeUndefined();
    delete process.env.TOOLDOCK_REAPER;
    expect(currentReaper()).toBe(watchingReaper);
    process.env.TOOLDOCK_REAPER = '1';
    expect(currentReaper()).toBe(watchingReaper);
  });
});
