import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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

  it('copies inputs in once per session and each successful call\'s outputs back', async () => {
    const input = tempDir('session-copy-in');
    const out = tempDir('session-copy-out');
    writeFileSync(join(input, 'data.txt'), 'first\n');
    await using s = await toolSession(busybox, [{ path: input, target: '/in' }, { path: out, target: '/out', write: true }]);
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
});
