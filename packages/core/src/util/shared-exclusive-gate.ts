/** How a holder passes a {@link SharedExclusiveGate}: alongside other sharers, or alone. */
export type GateMode = 'shared' | 'exclusive';

/** Lets the holder out; calling it again does nothing. */
export type GateRelease = () => void;

interface Waiter {
  readonly mode: GateMode;
  admit(): void;
}

/**
 * A shared/exclusive gate (a readers–writer lock) that is fair: requests are admitted in the
 * order they came, so a stream of sharers cannot starve an exclusive request, nor the reverse.
 * A sharer arriving while an exclusive request waits queues behind it; consecutive sharers at
 * the head of the queue are admitted together.
 *
 * Waiting is bounded by the caller's signal: an abort while queued removes the request (the
 * promise rejects with the signal's reason, nothing was admitted) and lets those behind it move
 * on. A request admitted at the moment its signal aborts is still admitted: the caller owns the
 * release and decides (check `signal.aborted` after the await).
 *
 * @example
 * ```ts
 * const release = await gate.enter('exclusive', signal);
 * try { await workAlone(); } finally { release(); }
 * ```
 */
export class SharedExclusiveGate {
  private sharers = 0;
  private exclusive = false;
  private readonly queue: Waiter[] = [];

  /** How many requests are queued (admitted ones excluded). */
  get waiting(): number {
    return this.queue.length;
  }

  /** Whether a request of `mode` made now would be admitted at once. */
  wouldAdmit(mode: GateMode): boolean {
    return this.queue.length === 0 && this.fits(mode);
  }

  /**
   * Resolves with the release once admitted. `onWait` is called (synchronously) when the request
   * has to queue, e.g. to tell the caller why it does not start yet.
   */
  enter(mode: GateMode, signal: AbortSignal, onWait?: () => void): Promise<GateRelease> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.wouldAdmit(mode)) return Promise.resolve(this.take(mode));
    return new Promise<GateRelease>((resolve, reject) => {
      const waiter: Waiter = {
        mode,
        admit: () => {
          signal.removeEventListener('abort', onAbort);
          resolve(this.take(mode));
        },
      };
      const onAbort = () => {
        const at = this.queue.indexOf(waiter);
        if (at === -1) return; // admitted already
        this.queue.splice(at, 1);
        reject(signal.reason);
        // An exclusive request leaving the head may free the sharers behind it.
        this.admitWaiting();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
      onWait?.();
    });
  }

  private fits(mode: GateMode): boolean {
    return mode === 'shared' ? !this.exclusive : !this.exclusive && this.sharers === 0;
  }

  private take(mode: GateMode): GateRelease {
    if (mode === 'shared') this.sharers++;
    else this.exclusive = true;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (mode === 'shared') this.sharers--;
      else this.exclusive = false;
      this.admitWaiting();
    };
  }

  /** Admits from the head of the queue for as long as the head fits (FIFO: never skips it). */
  private admitWaiting(): void {
    while (this.queue.length > 0 && this.fits(this.queue[0]!.mode)) this.queue.shift()!.admit();
  }
}
