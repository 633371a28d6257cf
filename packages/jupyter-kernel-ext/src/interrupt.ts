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
  const deno = (globalThis as { Deno?: { addSignalListener(s: string, f: () => void): void; removeSignalListener(s: string, f: () => void): void } }).Deno;
  const onInterrupt = () => {
    controller.abort(new Error('interrupted'));
    if (deno) deno.removeSignalListener('SIGINT', onInterrupt);
    else process.removeListener('SIGINT', onInterrupt);
  };
  if (deno) deno.addSignalListener('SIGINT', onInterrupt);
  else process.on('SIGINT', onInterrupt);
  return controller.signal;
}
