import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF, waitBeforeRetry } from '../../../src/retry/backoff.js';

describe('backoff', () => {
  it('a number is a fixed wait, taken as given', () => {
    expect([2, 3, 10].map((n) => backoffDelay(250, n))).toEqual([250, 250, 250]);
    expect(backoffDelay(0, 5)).toBe(0);
  });

  it('exponential: grows by the factor, stays under the cap, and is jittered between half and all of it', () => {
    const low = () => 0;
    const high = () => 1;
    expect([2, 3, 4].map((n) => backoffDelay({ initial: 100, factor: 3 }, n, high))).toEqual([100, 300, 900]);
    expect([2, 3, 4].map((n) => backoffDelay({ initial: 100, factor: 3 }, n, low))).toEqual([50, 150, 450]);
    expect(backoffDelay({ initial: 1000, factor: 10, max: 5000 }, 9, high)).toBe(5000);
    expect(backoffDelay(DEFAULT_BACKOFF, 50, high)).toBe(30_000);
    const delays = Array.from({ length: 50 }, () => backoffDelay(DEFAULT_BACKOFF, 3));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(1000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(2000);
    expect(new Set(delays).size).toBeGreaterThan(1);
  });

  it('a wait ends at once on cancel, and at the deadline when that comes first', async () => {
    const controller = new AbortController();
    const waiting = waitBeforeRetry(60_000, controller.signal, undefined);
    controller.abort();
    expect(await waiting).toBe('canceled');
    expect(await waitBeforeRetry(60_000, new AbortController().signal, Date.now() + 20)).toBe('timeout');
    expect(await waitBeforeRetry(5, new AbortController().signal, Date.now() + 60_000)).toBe('waited');
    expect(await waitBeforeRetry(0, new AbortController().signal, Date.now() - 1)).toBe('timeout');
    expect(await waitBeforeRetry(0, AbortSignal.abort(), undefined)).toBe('canceled');
  });
});
