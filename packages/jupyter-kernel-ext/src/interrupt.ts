/**
 * The safe default, installed when the helper is imported in a kernel: a SIGINT listener of the
 * program's own. tooldock's signal handler sees it and, on Stop/interrupt, cancels every running
 * container without ending the process; without it the handler re-raises the signal, and Deno's
 * kernel (which dies on SIGINT unless a listener is installed) is lost with all its state.
 * Under Deno the cell's tooldock runs end as canceled; other awaits in the cell are not
 * interrupted (Deno cannot stop running JavaScript): restart the kernel for those.
 *
 * @example
 * ```ts
 * // Done for you when '@tooldock/jupyter' is imported in a kernel; idempotent.
 * keepKernelOnInterrupt();
 * ```
 */
export function keepKernelOnInterrupt(): void {
  const marker = Symbol.for('tooldock.jupyter.keepKernel');
  const g = globalThis as Record<symbol, unknown>;
  if (g[marker]) return;
  g[marker] = true;
  process.on('SIGINT', () => {});
}

/**
 * An AbortSignal that fires when the kernel is interrupted (SIGINT), for `runTool`/`runMany`'s
 * `signal`: the running containers are killed and removed, and the kernel stays alive. Under
 * Deno a signal listener is required or the kernel dies; under Node (tslab) the listener also
 * tells tooldock's own SIGINT handler not to exit the process.
 *
 * @example
 * ```ts
 * await runMany(tasks, { signal: cancelOnInterrupt() });
 * ```
 */
export function cancelOnInterrupt(): AbortSignal {
  const controller = new AbortController();
  const deno = (globalThis as { Deno?: { addSignalListener(s: string, f: () => void): void; removeSignalListener(s: string, f: () => void): void } })
    .Deno;
  const onInterrupt = () => {
    controller.abort(new Error('interrupted'));
    // Leave only after this signal's dispatch: tooldock's own handler, running next, counts the
    // listeners to decide whether the program handles the interrupt (and must not be ended).
    setTimeout(() => {
      deno?.removeSignalListener('SIGINT', onInterrupt);
      process.removeListener('SIGINT', onInterrupt);
    }, 0);
  };
  // Deno needs its own listener or the kernel dies. The process listener, in both runtimes, is
  // what tells tooldock's SIGINT handler that the program handles the interrupt itself (so it
  // cancels and cleans up but does not end the kernel).
  deno?.addSignalListener('SIGINT', onInterrupt);
  // Not now but once the cell's synchronous part is over: tslab runs it under vm's
  // breakOnSigint, whose watchdog afterwards restores the SIGINT disposition it found — a
  // listener added meanwhile stays in the list but is dead, and the interrupt kills the kernel.
  queueMicrotask(() => process.on('SIGINT', onInterrupt));
  return controller.signal;
}
