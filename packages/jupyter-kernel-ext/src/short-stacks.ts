import { isToolError } from '@tooldock/core';

/**
 * Deno's kernel shows an uncaught error as its `stack`: for tooldock's own errors that is 7–8
 * frames of tooldock's internals under a message that already says everything (the image, the
 * command, the tool's last stderr lines; or the bad value and what is valid). Installed in
 * Deno's kernel only, and only when no one else formats stacks: tooldock errors get their
 * message alone; every other error keeps V8's usual form (Deno hands over source-mapped frames).
 */
export function installShortStacks(): void {
  const ErrorWithHook = Error as unknown as { prepareStackTrace?: (e: Error, frames: unknown[]) => unknown };
  if (typeof ErrorWithHook.prepareStackTrace === 'function') return;
  ErrorWithHook.prepareStackTrace = (e, frames) => {
    if (isToolError(e) || e.name === 'InvalidInputError') return `${e.name}: ${e.message}`;
    return [String(e), ...frames.map((f) => `    at ${String(f)}`)].join('\n');
  };
}
