import type { Backoff } from './retry-options.js';

/** Used when `backoffMs` is not given: 1 s, 2 s, 4 s … at most 30 s, jittered. */
export const DEFAULT_BACKOFF: Backoff = { initial: 1000, factor: 2, max: 30_000 };

/**
 * The wait before attempt `next` (2 for the first retry). A fixed number is taken as given; the
 * exponential form is capped and jittered ("equal jitter": half fixed, half random) so many
 * tasks failing together (a daemon restart under a fan-out) do not all come back at once.
 */
export function backoffDelay(backoff: Backoff, next: number, random: () => number = Math.random): number {
  if (typeof backoff === 'number') return backoff;
  const { initial, factor = 2, max = 30_000 } = backoff;
  const capped = Math.min(max, initial * factor ** Math.max(0, next - 2));
  return Math.round(capped / 2 + random() * (capped / 2));
}

/** Why a wait between attempts ended early. */
export type WaitEnd = 'waited' | 'canceled' | 'timeout';

/**
 * Waits `ms`, or less: until `abort` fires (cancel) or `deadline` (epoch ms) passes — the
 * caller's timeout covers the waits too. Leaves no timer or listener behind.
 */
export function waitBeforeRetry(ms: number, abort: AbortSignal, deadline: number | undefined): Promise<WaitEnd> {
  if (abort.aborted) return Promise.resolve('canceled');
  const left = deadline === undefined ? Infinity : deadline - Date.now();
  if (left <= 0) return Promise.resolve('timeout');
  const timedOut = left <= ms;
  return new Promise((resolve) => {
    const finish = (end: WaitEnd) => {
      clearTimeout(timer);
      abort.removeEventListener('abort', onAbort);
      resolve(end);
    };
    const onAbort = () => finish('canceled');
    const timer = setTimeout(() => finish(timedOut ? 'timeout' : 'waited'), Math.min(ms, left));
    abort.addEventListener('abort', onAbort, { once: true });
  });
}
