/** Abort controllers of runs in flight: a shutdown cancels them so they report `canceled`. */
export const activeRuns = new Set<AbortController>();

let exiting = false;

/** Set when a signal will end the process once containers are removed. */
export function markExiting(): void {
  exiting = true;
}

/** Runs that fail because of an exiting signal never settle: the process dies of the signal first. */
export function isExiting(): boolean {
  return exiting;
}
