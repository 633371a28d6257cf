import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '#test-support/temp-dir.js';
import { lockKey } from '../../../src/cache/cache-lock.js';
import { RunAborted } from '../../../src/lifecycle/bounded.js';
import { localOwner } from '../../../src/util/process-owner.js';

// The cache's lock per key: a second identical call waits for the first, a dead holder's lock is
// broken, and waiting ends with the call's signal.
describe('lockKey', () => {
  const never = new AbortController().signal;

  it('makes a second holder wait until the first releases', async () => {
    const dir = tempDir('lock');
    const releaseFirst = await lockKey(dir, 'k', never);
    let second = false;
    const waiting = lockKey(dir, 'k', never).then((release) => ((second = true), release));
    await new Promise((resolve) => setTimeout(resolve, 100)); // several tries of the second
    expect(second).toBe(false);
    await releaseFirst();
    const releaseSecond = await waiting;
    expect(second).toBe(true);
    await releaseSecond();
    expect(existsSync(join(dir, 'locks', 'k.lock'))).toBe(false);
  });

  it('breaks the lock of a process of this host that is gone', async () => {
    const dir = tempDir('lock');
    const gone = spawnSync(process.execPath, ['-e', '']).pid!; // exited: its pid names no process now
    mkdirSync(join(dir, 'locks'), { recursive: true });
    writeFileSync(join(dir, 'locks', 'k.lock'), JSON.stringify({ owner: localOwner(), pid: gone }));
    const release = await lockKey(dir, 'k', AbortSignal.timeout(30_000));
    await release();
  });

  it("ends the wait with the call's signal", async () => {
    const dir = tempDir('lock');
    const release = await lockKey(dir, 'k', never);
    const controller = new AbortController();
    const waiting = lockKey(dir, 'k', controller.signal);
    setTimeout(() => controller.abort(), 50);
    await expect(waiting).rejects.toBeInstanceOf(RunAborted);
    await release();
  });
});
