import { toolName } from '../lifecycle/tool-name.js';
import { safeEmitter, type EventListener } from '../lifecycle/events.js';
import type { RunChannels, RunSpec } from '../lifecycle/run-context.js';
import { AttemptStreams } from '../retry/attempt-streams.js';
import { backoffDelay, DEFAULT_BACKOFF, waitBeforeRetry } from '../retry/backoff.js';
import { endedWhileWaiting, errorOfFailedResult, retriedError, retriedResult } from '../retry/retried-outcome.js';
import type { ParsedRetryOptions, RetryWhen } from '../retry/retry-options.js';
import { DEFAULT_WHEN, retryReason, type RetryReason } from '../retry/retry-reason.js';
import type { RunResult } from '../api/run-result.js';
import { isToolError, type ToolError } from '../errors/tool-error.js';
import type { RunLayer, RunStep } from './run-layer.js';

/** How long a new attempt waits for the last one's output to reach a slow reader of `run.stdout`. */
const DRAIN_WAIT_MS = 1000;

/**
 * The `retry` option: runs the layers inside it (record, cache, the container) again while a
 * failure matches `retry.when`, with the next memory limit, after a backoff. Outermost, so each
 * attempt is a call of its own to them (a fresh trace; recorded separately). See docs/retries.md.
 */
export const retryLayer: RunLayer = (next) => (spec, channels, trace) => {
  const retry = spec.options.retry;
  if (!retry) return next(spec, channels, trace);
  return new RetriedRun(next, spec, channels, retry).run();
};

/** One attempt's end: a result, or the failure to judge (with the result when `reject: false`). */
type AttemptEnd = { result: RunResult; error?: undefined } | { result?: RunResult; error: ToolError };

class RetriedRun {
  private readonly streams: AttemptStreams;
  private readonly emit: EventListener;
  private readonly tool: string;
  private readonly when: RetryWhen[];
  /** The caller's timeout covers every attempt and wait: one deadline from the first attempt. */
  private readonly deadline: number | undefined;

  constructor(
    private readonly next: RunStep,
    private readonly spec: RunSpec,
    private readonly channels: RunChannels,
    private readonly retry: ParsedRetryOptions,
  ) {
    this.streams = new AttemptStreams(channels);
    this.emit = safeEmitter(spec.options.onEvent);
    this.tool = toolName(spec.image, spec.args);
    this.when = retry.when === undefined ? DEFAULT_WHEN : [retry.when].flat();
    this.deadline = spec.options.timeoutMs === undefined ? undefined : Date.now() + spec.options.timeoutMs;
  }

  async run(): Promise<RunResult> {
    try {
      for (let attempt = 1; ; attempt++) {
        const spec = this.specFor(attempt);
        const end = await this.attempt(spec, attempt);
        if (!end.error) return retriedResult(end.result, attempt);
        const reason =
          attempt < this.retry.attempts && !this.channels.abort.aborted
            ? retryReason(end.error, this.when, spec.options.memory !== undefined)
            : undefined;
        if (!reason) return this.settle(end, attempt, spec.options.timeoutMs);
        await this.waitToRetry(end.error, attempt, reason);
      }
    } finally {
      this.streams.close();
    }
  }

  /** Attempt n: its memory limit, and what is left of the caller's timeout. */
  private specFor(attempt: number): RunSpec {
    const { memory } = this.retry;
    const options = { ...this.spec.options };
    if (memory) options.memory = memory[Math.min(attempt, memory.length) - 1];
    if (this.deadline !== undefined) options.timeoutMs = Math.max(1, Math.ceil(this.deadline - Date.now()));
    return { ...this.spec, options };
  }

  private async attempt(spec: RunSpec, attempt: number): Promise<AttemptEnd> {
    try {
      const result = await this.next(spec, this.streams.open(), { attempt });
      if (!result.failed) return { result };
      return { result, error: errorOfFailedResult(result, this.tool, { timeoutMs: spec.options.timeoutMs, memory: spec.options.memory }) };
    } catch (error) {
      if (!isToolError(error)) throw error;
      return { error };
    }
  }

  /** The last attempt decides: its result (`reject: false`) or its error, counting the attempts. */
  private settle(end: AttemptEnd, attempts: number, attemptTimeoutMs: number | undefined): RunResult {
    if (end.result) return retriedResult(end.result, attempts);
    throw retriedError(end.error!, attempts, this.tool, { caller: this.spec.options.timeoutMs, attempt: attemptTimeoutMs });
  }

  /** Announces the next attempt, then waits for it; a cancel or the deadline ends the run instead. */
  private async waitToRetry(error: ToolError, attempt: number, reason: RetryReason): Promise<void> {
    const delayMs = backoffDelay(this.retry.backoffMs ?? DEFAULT_BACKOFF, attempt + 1);
    const memory = this.retry.memory?.[Math.min(attempt + 1, this.retry.memory.length) - 1];
    this.emit({
      type: 'retry',
      attempt: attempt + 1,
      of: this.retry.attempts,
      reason,
      error: error.shortMessage,
      delayMs,
      ...(memory === undefined ? {} : { memory }),
    });
    let end = await waitBeforeRetry(delayMs, this.channels.abort, this.deadline);
    if (end === 'waited') {
      await this.streams.drained(DRAIN_WAIT_MS);
      end = await waitBeforeRetry(0, this.channels.abort, this.deadline);
    }
    if (end !== 'waited') throw endedWhileWaiting(error, attempt, this.tool, end, this.spec.options.timeoutMs);
  }
}
