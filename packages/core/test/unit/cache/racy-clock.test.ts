import { describe, expect, it } from 'vitest';
import { racilyClean } from '../../../src/util/racy-clock.js';
import { keptStillHold, type MountState } from '../../../src/cache/writable-state.js';

describe("the cache distrusts a stat taken in the same clock tick (Git's racily clean rule)", () => {
  const recorded = 1_700_000_005_400;

  it('is racy when the mtime falls in the tick of the recording, or later', () => {
    expect(racilyClean(1_700_000_005_000, recorded)).toBe(true); // a 1 s clock: same second
    expect(racilyClean(1_700_000_005_399, recorded)).toBe(true);
    expect(racilyClean(1_700_000_006_000, recorded)).toBe(true); // a clock ahead of ours
    expect(racilyClean(1_700_000_004_999, recorded)).toBe(false);
  });

  it('a racy kept file with the same size and mtime but other bytes does not hold; a non-racy one is trusted by stat', async () => {
    const state: MountState = {
      mount: 0,
      path: '/nonexistent-racy-check',
      base: '/nonexistent-racy-check',
      entries: new Map([['f', { rel: 'f', kind: 'file', size: 5, mtimeMs: 1000, ino: 1, mode: 0o644 }]]),
    };
    const kept = { mount: 0, rel: 'f', size: 5, mtimeMs: 1000 };
    expect(await keptStillHold([kept], [state])).toBe(true);
    // Racy: checked by content, and the file cannot be read (or differs): not a hit.
    expect(await keptStillHold([{ ...kept, sha256: 'a'.repeat(64), racy: true }], [state])).toBe(false);
  });
});
