import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runTool } from '@tooldock/core';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';
import { useCopyMode } from '#test-support/use-copy-mode.js';

const { busybox } = testImages();

// Each attempt leaves a file named after its memory limit in the writable mount; the first
// attempt (64m) then fails with exit 3, the second (256m) succeeds.
const leaveFileThenFailUnder100m = [
  'sh',
  '-c',
  'lim=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max); ' +
    'echo $lim > /out/attempt-$lim.txt; [ $lim -gt 100000000 ] || exit 3',
];
const retry = { attempts: 2, when: [3], memory: ['64m', '256m'], backoffMs: 0 };

describe('what a failed attempt leaves in a writable mount', () => {
  describe('copy mode (copyOutputs "on-success")', () => {
    useCopyMode();
    it("a failed attempt's files never come back: only the successful attempt's are copied out", async () => {
      const out = tempDir('retry-copy');
      const result = await runTool(busybox, leaveFileThenFailUnder100m, [{ path: out, target: '/out', write: true }], { retry });
      expect(result.attempts).toBe(2);
      expect(result.mounts.map((m) => m.source.type)).toEqual(['copy']);
      expect(readdirSync(out)).toEqual([`attempt-${256 * 1024 * 1024}.txt`]);
    });
  });

  describe('bind mode', () => {
    it('cannot be rolled back: the next attempt sees (and the caller keeps) what the failed one wrote', async () => {
      const out = tempDir('retry-bind');
      const result = await runTool(busybox, leaveFileThenFailUnder100m, [{ path: out, target: '/out', write: true }], { retry });
      expect(result.attempts).toBe(2);
      expect(result.mounts.map((m) => m.source.type)).toEqual(['bind']);
      expect(readdirSync(out).sort()).toEqual([`attempt-${256 * 1024 * 1024}.txt`, `attempt-${64 * 1024 * 1024}.txt`]);
    });
  });
});
