import { TooldockError } from '../errors/tooldock-error.js';
/**
 * Every await of a run is raced against the run's signal (cancel or timeout): a daemon that
 * stops answering, or a pull that never ends, cannot keep a run from settling.
 */
export class RunAborted extends TooldockError {
  readonly code = 'ERR_TOOLDOCK_ABORTED';
  override readonly name = 'RunAborted';
  constructor(readonly during: string) {
    super(`aborted while ${during}`);
  }
}

/** `promise`, or a {@link RunAborted} rejection as soon as `signal` aborts (whichever comes first). */
export function bounded<T>(promise: Promise<T>, signal: AbortSignal, during: string): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {}); // settles later, unobserved
    return Promise.reject(new RunAborted(during));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new RunAborted(during));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** The longest delay `setTimeout` takes; larger ones fire at once (Node clamps them to 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** `setTimeout` for any delay (a 30-day `timeoutMs` must not fire after 1 ms); returns a canceller. */
export function longTimeout(ms: number, callback: () => void): () => void {
  let timer: NodeJS.Timeout;
  const arm = (left: number) => {
    timer = setTimeout(() => (left > MAX_TIMER_MS ? arm(left - MAX_TIMER_MS) : callback()), Math.min(left, MAX_TIMER_MS));
  };
  arm(ms);
  return () => clearTimeout(timer);
}
