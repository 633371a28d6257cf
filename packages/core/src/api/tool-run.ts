import { PassThrough, type Readable } from 'node:stream';
import { outputLines, type OutputLine } from '../lifecycle/output-lines.js';
import type { RunChannels } from '../lifecycle/run-container.js';
import type { RunResult } from './run-result.js';
import { activeRuns, isExiting } from '../shutdown/active-runs.js';
import { deferred } from '../util/deferred.js';

/**
 * A running tool: await it for the {@link RunResult}, or stream while it runs.
 *
 * @example
 * ```ts
 * const run = runTool(image, ['samtools', 'view', '/data/x.bam'], ['/data']);
 * for await (const { stream, line } of run.lines()) console.log(stream, line);
 * const result = await run;
 * ```
 */
export class ToolRun implements PromiseLike<RunResult> {
  /** The tool's standard output, binary-safe. Also captured unless `stdout` says otherwise. */
  readonly stdout: Readable;
  /** The tool's standard error, binary-safe. */
  readonly stderr: Readable;
  /** The container's id, once created (rejects if the run failed before that). */
  readonly containerId: Promise<string>;
  private readonly controller = new AbortController();
  private readonly result: Promise<RunResult>;
  private linesTaken = false;

  /** @internal Use {@link runTool}. */
  constructor(execute: (channels: RunChannels) => Promise<RunResult>, signal?: AbortSignal) {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    this.stdout = stdout;
    this.stderr = stderr;
    // Failures reach the caller through the promise; an unheard stream error must not crash the process.
    stdout.on('error', () => {});
    stderr.on('error', () => {});
    const id = deferred<string>();
    this.containerId = id.promise;
    this.containerId.catch(() => {});
    // Combined rather than listened to: one signal shared by hundreds of runs (a fan-out's) must
    // not collect a listener per run (MaxListenersExceededWarning, and kept alive until it fires).
    const abort = signal ? AbortSignal.any([signal, this.controller.signal]) : this.controller.signal;
    activeRuns.add(this.controller);
    this.result = execute({ stdout, stderr, abort, onContainerId: id.resolve }).then(
      (result) => {
        activeRuns.delete(this.controller);
        return result;
      },
      (error: unknown) => {
        activeRuns.delete(this.controller);
        // The process is about to die of a signal: don't let this failure exit it first with code 1.
        return isExiting() ? new Promise<never>(() => {}) : Promise.reject(error);
      },
    );
    this.result.catch(id.reject);
  }

  /** Kills and removes the container; the run rejects with `canceled: true`. */
  cancel(reason?: unknown): void {
    this.controller.abort(reason);
  }

  /**
   * Lines of stdout and stderr as they arrive. Call it before the first `await` so no line is
   * missed. Ends when the tool exits; throws the run's {@link ToolError} if it failed. Stopping
   * early (`break`) is fine: the run carries on and its captured output stays complete. A line
   * longer than 1 MiB is cut, ending with `… [line truncated: N bytes dropped]`.
   */
  async *lines(): AsyncGenerator<OutputLine> {
    if (this.linesTaken) throw new Error('lines() can be called once per run');
    this.linesTaken = true;
    yield* outputLines(this.stdout, this.stderr);
    await this.result;
  }

  then<A = RunResult, B = never>(
    onFulfilled?: ((value: RunResult) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.result.then(onFulfilled, onRejected);
  }

  catch<B = never>(onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<RunResult | B> {
    return this.result.catch(onRejected);
  }

  finally(onFinally?: (() => void) | null): Promise<RunResult> {
    return this.result.finally(onFinally);
  }

  get [Symbol.toStringTag](): string {
    return 'ToolRun';
  }
}
