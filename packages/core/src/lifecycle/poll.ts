import { setTimeout as sleep } from 'node:timers/promises';
import { bounded } from './bounded.js';

export interface PollOptions {
  /** The wait after `tries` tries (1, 2, …) before the next one; `undefined` gives up. */
  delayMs: (tries: number) => number | undefined;
  /** Bounds every wait: an abort rejects with `RunAborted(during)`. Without it, the waits are short by design. */
  signal?: AbortSignal;
  /** What the waiting is for, in the abort's message. */
  during: string;
}

/**
 * Asks `attempt` again until `done` accepts its value or `delayMs` gives up, and returns the last
 * value either way: the one way tooldock re-reads a state the daemon (or another process) sets a
 * little later — an OOM flag, an exec's exit code, a lock file.
 *
 * @example
 * ```ts
 * const state = await pollUntil(readState, (s) => s.OOMKilled, { delayMs: (n) => (n <= 10 ? 50 : undefined), during: 'reading the exit state' });
 * ```
 */
export async function pollUntil<T>(attempt: () => Promise<T>, done: (value: T) => boolean, options: PollOptions): Promise<T> {
  for (let tries = 1; ; tries++) {
    const value = await attempt();
    const delay = done(value) ? undefined : options.delayMs(tries);
    if (delay === undefined) return value;
    await wait(delay, options);
  }
}

function wait(ms: number, { signal, during }: PollOptions): Promise<unknown> {
  if (!signal) return sleep(ms);
  // The timer goes with the abort; `bounded` turns the abort into the run's own error.
  return bounded(
    sleep(ms, undefined, { signal }).catch(() => {}),
    signal,
    during,
  );
}
