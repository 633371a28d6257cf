import { signalOfExitCode } from './exit-signal.js';
import { memoryToBytes } from '../api/options.js';
import type { RunResult } from '../api/run-result.js';
import { ToolError, type ToolErrorDetails } from '../errors/tool-error.js';

/**
 * How a run's end is judged and reported, in one pure module (no daemon, no streams): the
 * outcome of an exit, the messages, and the result and error built from what the run learnt.
 */

/** Why we ended a run ourselves, if we did. */
export type EndReason = 'timeout' | 'cancel';

/** What a finished tool's exit means. */
export interface Outcome {
  exitCode: number;
  failed: boolean;
  oomKilled: boolean;
  killed: boolean;
  timedOut: boolean;
  canceled: boolean;
  signal: string | undefined;
}

/** The limits named in messages. */
export interface Limits {
  timeoutMs?: number | undefined;
  memory?: number | string | undefined;
}

/** Everything known about a run so far; each stage adds what it learnt. */
export type RunFacts = ToolErrorDetails;

export function classifyExit(exitCode: number, endedBy: EndReason | undefined, oomKilled: boolean): Outcome {
  const signal = signalOfExitCode(exitCode);
  return {
    exitCode,
    failed: exitCode !== 0 || endedBy !== undefined,
    oomKilled,
    killed: endedBy !== undefined || signal === 'SIGKILL',
    timedOut: endedBy === 'timeout',
    canceled: endedBy === 'cancel',
    signal,
  };
}

/** The first line of a failed run's error. */
export function failureMessage(tool: string, outcome: Outcome, limits: Limits): string {
  const { exitCode, signal } = outcome;
  if (outcome.timedOut) return `Command timed out after ${limits.timeoutMs} ms and was killed: ${tool}`;
  if (outcome.canceled) return `Command was canceled: ${tool}`;
  if (outcome.oomKilled) return `Command ran out of memory${memoryNote(limits)} and was killed (exit code ${exitCode}): ${tool}`;
  if (signal === 'SIGKILL' && limits.memory !== undefined) {
    // The daemon misses some OOM events; under a memory limit, SIGKILL is most likely that.
    return (
      `Command was killed with SIGKILL (exit code ${exitCode}), probably by the OOM killer ` +
      `(memory limit ${formatBytes(memoryToBytes(limits.memory))}), though the daemon did not report an OOM kill: ${tool}`
    );
  }
  if (signal) return `Command was killed with ${signal} (exit code ${exitCode}): ${tool}`;
  return `Command failed with exit code ${exitCode}: ${tool}`;
}

/** The first line for a run we ended before its tool exited (or before it started). */
export function abortMessage(tool: string, endedBy: EndReason, started: boolean, during: string, limits: Limits): string {
  if (endedBy === 'timeout') {
    return started
      ? `Command timed out after ${limits.timeoutMs} ms and was killed: ${tool}`
      : `Command timed out after ${limits.timeoutMs} ms before it started (while ${during}): ${tool}`;
  }
  return started ? `Command was canceled: ${tool}` : `Command was canceled before it started (while ${during}): ${tool}`;
}

/** The first line for a command the runtime could not start (exit code 126 or 127, as a shell reports). */
export function notRunnableMessage(tool: string, exitCode: 126 | 127): string {
  return exitCode === 127 ? `Command not found in the image (exit code 127): ${tool}` : `Command is not executable (exit code 126): ${tool}`;
}

/** The result of a finished run. */
export function buildResult(
  facts: RunFacts,
  outcome: Outcome,
  finished: Required<Pick<RunFacts, 'imageId' | 'containerId' | 'startedAt' | 'finishedAt' | 'durationMs'>>,
): RunResult {
  return {
    image: facts.image,
    imageId: finished.imageId,
    args: facts.args,
    command: facts.command,
    containerId: finished.containerId,
    ...outcome,
    stdout: facts.stdout,
    stderr: facts.stderr,
    durationMs: finished.durationMs,
    startedAt: finished.startedAt,
    finishedAt: finished.finishedAt,
    mounts: facts.mounts ?? [],
    user: facts.user ?? 'image',
    notes: facts.notes ?? [],
    cached: false,
    attempts: 1,
  };
}

/** The error of a failed run, from whatever the run learnt before it failed. */
export function buildError(shortMessage: string, facts: RunFacts, extra: Partial<RunFacts> = {}): ToolError {
  return new ToolError(shortMessage, { ...facts, ...extra });
}

function memoryNote(limits: Limits): string {
  return limits.memory !== undefined ? ` (memory limit ${formatBytes(memoryToBytes(limits.memory))})` : '';
}

export function formatBytes(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}
