import { CommandNotRunnableError } from '../backends/tool-backend.js';
import { daemonMessage } from '../backends/docker/engine/daemon-error.js';
import type { ToolError } from '../errors/tool-error.js';
import type { RetryWhen } from './retry-options.js';

/** Why a failed attempt is tried again (the `reason` of a `retry` event). */
export type RetryReason = 'oom' | 'exit-code' | 'daemon' | 'predicate';

/** What `when` means when the caller does not say. */
export const DEFAULT_WHEN: RetryWhen[] = ['oom', 'daemon'];

/**
 * Connection failures that a restarting or briefly overloaded daemon causes. Not EACCES/EPERM
 * (a permission problem stays one) nor ENOTFOUND (a wrong host name stays wrong).
 */
const DROPPED_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNABORTED']);
/** Only when connecting: a socket missing or refusing while the daemon restarts (an fs ENOENT is no hiccup). */
const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOENT']);
/** 5xx answers that are about the request, not the daemon's health: retrying repeats them. */
const PERMANENT_5XX = /unauthorized|authentication required|denied|not found|no such|manifest unknown|invalid/i;

/**
 * Whether (and why) a failed attempt is worth another one, or undefined. A canceled or timed-out
 * run never is: the caller asked it to stop, or its time (which covers every attempt) is up.
 * `memoryLimited`: the attempt ran under a memory limit (a SIGKILL then most likely is the OOM killer).
 */
export function retryReason(error: ToolError, when: readonly RetryWhen[], memoryLimited: boolean): RetryReason | undefined {
  if (error.canceled || error.timedOut) return undefined;
  for (const condition of when) {
    const reason = matches(condition, error, memoryLimited);
    if (reason) return reason;
  }
  return undefined;
}

function matches(condition: RetryWhen, error: ToolError, memoryLimited: boolean): RetryReason | undefined {
  if (condition === 'oom') return wasOomKilled(error, memoryLimited) ? 'oom' : undefined;
  if (condition === 'daemon') return isDaemonHiccup(error) ? 'daemon' : undefined;
  if (typeof condition === 'number') return ranAndExited(error) && error.exitCode === condition ? 'exit-code' : undefined;
  try {
    return condition(error) === true ? 'predicate' : undefined;
  } catch (thrown) {
    process.emitWarning(`tooldock: retry.when predicate threw (not retrying): ${String(thrown)}`);
    return undefined;
  }
}

/**
 * The daemon reported an OOM kill, or (it misses some OOM events under load) the tool died of
 * SIGKILL under a memory limit without us killing it.
 */
export function wasOomKilled(error: Pick<ToolError, 'oomKilled' | 'signal' | 'timedOut' | 'canceled'>, memoryLimited: boolean): boolean {
  return error.oomKilled || (memoryLimited && error.signal === 'SIGKILL' && !error.timedOut && !error.canceled);
}

/** The tool started and exited on its own: its exit code is the tool's word, not the runtime's. */
function ranAndExited(error: ToolError): boolean {
  return error.exitCode !== undefined && error.startedAt !== undefined && !chainHas(error, (e) => e instanceof CommandNotRunnableError);
}

/**
 * The daemon could not be reached, reset the connection, or answered 5xx — before the tool
 * finished. Not a tool failure, not invalid input, not a missing image or command (126/127).
 */
export function isDaemonHiccup(error: ToolError): boolean {
  if (error.exitCode === 126 || error.exitCode === 127) return false;
  if (chainHas(error, (e) => e instanceof CommandNotRunnableError)) return false;
  if (ranAndExited(error)) return false;
  return chainHas(error, (e) => {
    const { code, statusCode, syscall } = e as { code?: unknown; statusCode?: unknown; syscall?: unknown };
    if (typeof statusCode === 'number') return statusCode >= 500 && !PERMANENT_5XX.test(daemonMessage(e));
    if (typeof code !== 'string') return false;
    return DROPPED_CODES.has(code) || (CONNECT_CODES.has(code) && syscall === 'connect');
  });
}

/** Whether `test` holds for `error` or anything in its `cause` chain (bounded: causes may loop). */
function chainHas(error: unknown, test: (error: unknown) => boolean): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 10 && current !== null && typeof current === 'object'; depth++) {
    if (test(current)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
