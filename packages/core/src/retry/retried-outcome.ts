import { failureMessage, type Limits } from '../lifecycle/outcome.js';
import type { RunResult } from '../api/run-result.js';
import { tailOf, ToolError, type ToolErrorDetails } from '../errors/tool-error.js';

/**
 * How a retried run reports its end: the last attempt's result or error, carrying `attempts`,
 * its message saying "after N attempts", and a timeout named as the caller set it (each
 * attempt ran with what was left of it).
 */

/** The last attempt's result, counting the attempts. */
export function retriedResult(result: RunResult, attempts: number): RunResult {
  return { ...result, attempts };
}

/** The last attempt's error, restated for the whole run. */
export function retriedError(
  error: ToolError,
  attempts: number,
  tool: string,
  timeouts: { caller?: number | undefined; attempt?: number | undefined },
): ToolError {
  let shortMessage = error.shortMessage;
  if (error.timedOut && timeouts.attempt !== timeouts.caller) {
    shortMessage = shortMessage.replace(`after ${timeouts.attempt} ms`, `after ${timeouts.caller} ms`);
  }
  return restate(error, afterAttempts(shortMessage, attempts, tool), { attempts });
}

/** The run ended while it waited to retry: canceled, or out of time. */
export function endedWhileWaiting(
  last: ToolError,
  attempts: number,
  tool: string,
  end: 'canceled' | 'timeout',
  timeoutMs: number | undefined,
): ToolError {
  const what = end === 'canceled' ? `Command was canceled while waiting to retry` : `Command timed out after ${timeoutMs} ms while waiting to retry`;
  const flags = end === 'canceled' ? { canceled: true, timedOut: false } : { timedOut: true, canceled: false };
  return restate(last, afterAttempts(`${what}: ${tool}`, attempts, tool), { ...flags, failed: true, attempts, cause: last });
}

/**
 * A failed attempt that resolved (`reject: false`) as the error it would have thrown, so every
 * failure is judged alike (a `when` predicate receives a ToolError either way).
 */
export function errorOfFailedResult(result: RunResult, tool: string, limits: Limits): ToolError {
  const stderr = typeof result.stderr === 'string' ? result.stderr : (result.stderr?.toString('utf8') ?? '');
  return new ToolError(failureMessage(tool, result, limits), { ...result, stderrTail: tailOf(stderr) });
}

/** "Command failed with exit code 3: sh" → "Command failed with exit code 3 after 2 attempts: sh". */
export function afterAttempts(shortMessage: string, attempts: number, tool: string): string {
  if (attempts <= 1) return shortMessage;
  const note = `after ${attempts} attempts`;
  const suffix = `: ${tool}`;
  return shortMessage.endsWith(suffix) ? `${shortMessage.slice(0, -suffix.length)} ${note}${suffix}` : `${shortMessage} (${note})`;
}

/** A copy of `error` with another first line and some fields changed; every other field kept. */
function restate(error: ToolError, shortMessage: string, changes: Partial<ToolErrorDetails>): ToolError {
  const details: ToolErrorDetails = { ...error, cause: error.cause, ...changes };
  return new ToolError(shortMessage, details);
}
