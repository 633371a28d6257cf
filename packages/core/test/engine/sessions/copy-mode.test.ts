import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toolSession } from '@tooldock/core';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';
import { useCopyMode } from '#test-support/use-copy-mode.js';

const { busybox } = testImages();

// Copy mode forced on the local daemon, as copy-mode/copy-mode.test.ts does.
describe('sessions in copy mode', () => {
  useCopyMode();

  it("copies inputs in once per session and each successful call's outputs back", async () => {
    const input = tempDir('session-copy-in');
    const out = tempDir('session-copy-out');
    writeFileSync(join(input, 'data.txt'), 'first\n');
    await using s = await toolSession(busybox, [
      { path: input, target: '/in' },
      { path: out, target: '/out', write: true },
    ]);
    // Inputs went in when the session opened: a later local change is not seen by calls.
    writeFileSync(join(input, 'data.txt'), 'changed locally\n');
    const first = await s.run(['sh', '-c', 'cat /in/data.txt; cp /in/data.txt /out/one.txt']);
    expect(first.stdout).toBe('first\n');
    expect(first.mounts.map((m) => m.source.type)).toEqual(['copy', 'copy']);
    expect(readFileSync(join(out, 'one.txt'), 'utf8')).toBe('first\n');
    await s.run(['sh', '-c', 'echo two > /out/two.txt']);
    expect(readFileSync(join(out, 'two.txt'), 'utf8')).toBe('two\n');
    // A failed call's outputs stay in the container (copyOutputs: "on-success").
    await s.run(['sh', '-c', 'echo partial > /out/failed.txt; exit 1'], { reject: false });
    expect(existsSync(join(out, 'failed.txt'))).toBe(false);
  });

  it("brings every call's outputs back, compared with what the container held after the call before", async () => {
    const out = tempDir('session-copy-calls');
    writeFileSync(join(out, 'n.txt'), '0');
    writeFileSync(join(out, 'gone.txt'), 'x');
    await using s = await toolSession(busybox, [{ path: out, target: '/out', write: true }]);
    for (const n of ['1', '2', '3']) {
      await s.run(['sh', '-c', `printf ${n} > /out/n.txt`]);
      expect(readFileSync(join(out, 'n.txt'), 'utf8')).toBe(n);
    }
    await s.run(['sh', '-c', 'rm /out/gone.txt; chmod 600 /out/n.txt']);
    expect(existsSync(join(out, 'gone.txt'))).toBe(false);
    expect(statSync(join(out, 'n.txt')).mode & 0o777).toBe(0o600);
    // Changed here between calls, then by the next call too: the local one is kept, and said so.
    writeFileSync(join(out, 'n.txt'), 'mine');
    const kept = await s.run(['sh', '-c', 'printf 4 > /out/n.txt']);
    expect(readFileSync(join(out, 'n.txt'), 'utf8')).toBe('mine');
    expect(kept.notes).toEqual([expect.stringMatching(/kept ".*n\.txt" as it is here/)]);
    // A call that leaves it alone keeps the local one quietly.
    const quiet = await s.run(['true']);
    expect(quiet.notes).toEqual([]);
    expect(readFileSync(join(out, 'n.txt'), 'utf8')).toBe('mine');
  });
});
