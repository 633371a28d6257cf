import { describe, expect, it } from 'vitest';
import { RunAborted } from '../../../src/lifecycle/bounded.js';
import { pollUntil } from '../../../src/lifecycle/poll.js';

// The one poll helper: re-reads until accepted, gives up with the last value, waits bounded by a signal.
describe('pollUntil', () => {
  it('asks again until done accepts the value, waiting the delay for each try', async () => {
    const asked: number[] = [];
    let n = 0;
    const value = await pollUntil(
      async () => ++n,
      (v) => v === 3,
      { delayMs: (tries) => (asked.push(tries), 1), during: 'counting' },
    );
    expect(value).toBe(3);
    expect(asked).toEqual([1, 2]); // no wait after the accepted value
  });

  it('returns the last value once the delays give up', async () => {
    let n = 0;
    const value = await pollUntil(
      async () => ++n,
      () => false,
      { delayMs: (tries) => (tries < 4 ? 1 : undefined), during: 'counting' },
    );
    expect(value).toBe(4);
  });

  it('passes on an error of the attempt at once', async () => {
    let n = 0;
    const polling = pollUntil(
      async () => {
        if (++n === 2) throw new Error('gone');
        return n;
      },
      () => false,
      { delayMs: () => 1, during: 'counting' },
    );
    await expect(polling).rejects.toThrow('gone');
    expect(n).toBe(2);
  });

  it('ends a wait with RunAborted naming what it waited for when the signal aborts', async () => {
    const controller = new AbortController();
    // Aborted during the first (one-minute) wait, once the attempt has answered.
    const polling = pollUntil(
      async () => (setImmediate(() => controller.abort()), 1),
      () => false,
      { delayMs: () => 60_000, signal: controller.signal, during: 'waiting for the lock' },
    );
    await expect(polling).rejects.toThrow(RunAborted);
    await expect(polling).rejects.toThrow('aborted while waiting for the lock');
  });

  it('does not start a wait once the signal has aborted', async () => {
    const polling = pollUntil(
      async () => 1,
      () => false,
      { delayMs: () => 60_000, signal: AbortSignal.abort(), during: 'waiting' },
    );
    await expect(polling).rejects.toBeInstanceOf(RunAborted);
  });
});
