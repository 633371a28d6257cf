import type { StepContext, ToolBackend } from '../backends/tool-backend.js';
import { CommandNotRunnableError } from '../backends/tool-backend.js';
import { toolName } from './tool-name.js';
import { safeEmitter, type EventListener } from './events.js';
import type { LocalMount } from '../api/mount-spec.js';
import type { ParsedRunOptions } from '../api/options.js';
import { formatCommand, tailOf, ToolError } from '../errors/tool-error.js';
import type { Engine } from '../backends/engine.js';
import { longTimeout, RunAborted } from './bounded.js';
import { abortMessage, buildError, notRunnableMessage, type EndReason, type Limits, type RunFacts } from './outcome.js';
import { RunOutput } from './run-output.js';
import type { RunChannels } from './run-channels.js';

export type { RunChannels } from './run-channels.js';

/** How long the rest of a run we ended (kill confirmed, removal) may take before we stop waiting. */
const GRACE_MS = 10_000;

/** A validated request to run one tool. */
export interface RunSpec {
  image: string;
  args: string[];
  mounts: LocalMount[];
  options: ParsedRunOptions;
  engine: Engine;
  /** Who runs it: the engine's backend (a fresh container; api/run-tool.ts), or a warm session's. */
  backend: ToolBackend;
}

/**
 * One run's state shared by its stages: the signal that ends it (cancel, timeout from the run's
 * first step, or an internal failure such as an unreadable stdin), its output, and what it learnt.
 */
export class RunContext implements StepContext {
  readonly emit: EventListener;
  readonly tool: string;
  readonly output: RunOutput;
  readonly limits: Limits;
  facts: RunFacts;
  /** Set once the tool's process started. */
  started = false;
  private readonly controller = new AbortController();
  private grace: AbortSignal | undefined;
  private endReason: EndReason | undefined;
  private failure: Error | undefined;
  private readonly disposers: Array<() => void> = [];
  private stopTimeout: (() => void) | undefined;
  private disposed = false;

  constructor(
    readonly spec: RunSpec,
    readonly channels: RunChannels,
  ) {
    const { image, args, options } = spec;
    this.emit = safeEmitter(options.onEvent);
    this.tool = toolName(image, args);
    this.limits = { timeoutMs: options.timeoutMs, memory: options.memory };
    this.facts = { image, args, command: formatCommand(args), user: options.user === 'image' ? 'image' : undefined, mounts: [] };
    this.output = new RunOutput(
      channels,
      options,
      spec.mounts.filter((m) => m.write).map((m) => m.path),
    );
    this.output.onFailure((error) => this.failWith(error));
    const onCancel = () => this.end('cancel');
    channels.abort.addEventListener('abort', onCancel, { once: true });
    this.disposers.push(() => channels.abort.removeEventListener('abort', onCancel));
    if (channels.abort.aborted) onCancel();
    this.timeoutStartsNow();
    this.disposers.push(() => this.stopTimeout?.());
  }

  /** `timeoutMs` counts from now (a backend calls it once its queued tool really starts). */
  timeoutStartsNow(): void {
    this.timeoutWaits();
    const { timeoutMs } = this.spec.options;
    if (timeoutMs !== undefined && !this.controller.signal.aborted && !this.disposed)
      this.stopTimeout = longTimeout(timeoutMs, () => this.end('timeout'));
  }

  /** Stops the timeout clock while the tool waits in a scheduler's queue; cancel still ends the run. */
  timeoutWaits(): void {
    this.stopTimeout?.();
    this.stopTimeout = undefined;
  }

  /** Aborts on cancel, timeout or an internal failure. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * Once the run was ended, what is left (the kill confirmed, outputs, removal) shares one grace
   * period, so a daemon that stopped answering delays the settlement by it once, not per step.
   */
  graceSignal(): AbortSignal {
    return this.grace ?? AbortSignal.timeout(GRACE_MS);
  }

  /** Why we ended the run, if we did (an internal failure is not a kill reason). */
  get endedBy(): EndReason | undefined {
    return this.failure ? undefined : this.endReason;
  }

  /** Ends the run because something on our side broke (e.g. its stdin could not be read). */
  failWith(error: Error): void {
    if (this.controller.signal.aborted) return;
    this.failure = error;
    this.grace = AbortSignal.timeout(GRACE_MS);
    this.controller.abort(error);
  }

  /** Throws the internal failure that ended the run, if any (the tool's exit then means nothing). */
  throwIfFailed(): void {
    if (this.failure) throw this.explain(this.failure, 'Failed');
  }

  learnt(facts: Partial<RunFacts>): void {
    this.facts = { ...this.facts, ...facts };
  }

  /** An error of this run, with what it learnt so far and the tail of its stderr. */
  error(shortMessage: string, extra: Partial<RunFacts> = {}): ToolError {
    return buildError(shortMessage, { ...this.facts, stderrTail: tailOf(this.output.stderrTail()) }, extra);
  }

  /** Any failure of a stage as this run's {@link ToolError}. */
  explain(error: unknown, what: string): ToolError {
    if (error instanceof ToolError) return error;
    if (this.failure) return this.error(`${this.failure.message}: ${this.tool}`, { cause: this.failure, killed: this.started });
    if (error instanceof RunAborted && this.endReason) {
      const flags = this.endReason === 'timeout' ? { timedOut: true, killed: this.started } : { canceled: true, killed: this.started };
      return this.error(abortMessage(this.tool, this.endReason, this.started, error.during, this.limits), flags);
    }
    if (error instanceof CommandNotRunnableError) {
      return buildError(
        notRunnableMessage(this.tool, error.exitCode),
        { ...this.facts, stderrTail: error.runtimeMessage },
        { exitCode: error.exitCode, failed: true, cause: error },
      );
    }
    return this.error(`${what}: ${this.spec.backend.explainError(error)}`, { cause: error });
  }

  dispose(): void {
    this.disposed = true;
    for (const dispose of this.disposers.splice(0)) dispose();
  }

  private end(reason: EndReason): void {
    if (this.controller.signal.aborted) return;
    this.endReason = reason;
    this.grace = AbortSignal.timeout(GRACE_MS);
    this.controller.abort(new Error(reason));
  }
}
