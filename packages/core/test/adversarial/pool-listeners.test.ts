import { describe, expect, it } from 'vitest';
import { runMany } from '@tooldock/core';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();

// Issue 23, weak item: runMany({ reuse: true }) with 300 tasks at concurrency 16 printed a
// MaxListenersExceededWarning: every session being opened listened to the fan-out's one signal.
describe('a large warm fan-out adds no listener per task to the shared signal', () => {
  it('300 tasks, concurrency 16, reuse: no MaxListenersExceededWarning', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    try {
      const tasks = Array.from({ length: 300 }, (_, i) => ({ image: busybox, args: ['echo', String(i)] }));
      const results = await runMany(tasks, { concurrency: 16, reuse: true, signal: new AbortController().signal });
      expect(results.map((r) => r.stdout)).toEqual(tasks.map((_, i) => `${i}\n`));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => /MaxListeners/.test(w))).toEqual([]);
  }, 300_000);
});
