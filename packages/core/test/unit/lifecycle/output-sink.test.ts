import { createWriteStream } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSink } from '../../../src/lifecycle/output-sink.js';

describe("a caller's Writable as a sink", () => {
  // A fresh clone's run saw this as an uncaught ENOSPC in sink-errors.test.ts (a stream on /dev/full):
  // a file stream emits its 'error' only after closing its fd, after the sink itself had closed.
  it("fails the sink, and the target's 'error', emitted once its fd is closed, is never uncaught", async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const target = createWriteStream('/dev/full');
      const sink = createSink(target, 'stdout', 1024);
      const failed = new Promise<Error>((resolve) => sink.writable.once('error', resolve));
      sink.writable.write('first');
      while (!target.destroyed) await new Promise((resolve) => setImmediate(resolve)); // it failed and is closing its fd
      expect(target.closed).toBe(false);
      sink.writable.write('second, in that window');
      expect((await failed).message).toMatch(/ENOSPC/);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(target.closed).toBe(true);
      expect(uncaught).toEqual([]);
      expect(target.listenerCount('error')).toBe(0); // and no listener is left behind
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
