import { createSink, TailKeeper, type SinkHandle } from './output-sink.js';
import type { ParsedRunOptions } from '../api/options.js';
import type { RunChannels } from './run-channels.js';

/**
 * Where a run's output goes: the caller's streams (`run.stdout`/`run.stderr`) feed the sinks
 * (capture, ignore, a Writable, an atomic file) and a tail of stderr kept for error messages.
 */
export class RunOutput {
  private readonly sinks: [SinkHandle, SinkHandle];
  private readonly tail = new TailKeeper();
  private readonly failureListeners: Array<(error: Error) => void> = [];
  private failure: Error | undefined;
  /**
   * Rejects when a sink fails (a full disk, a missing directory, a caller's stream that errors):
   * the run's error path, never an unhandled 'error' event. Whoever waits on the output races it.
   */
  readonly failed: Promise<never>;

  /** `writableRoots`: the run's writable mounts (a `{ file }` sink below one is reached through no link). */
  constructor(
    private readonly channels: RunChannels,
    private readonly options: ParsedRunOptions,
    writableRoots: readonly string[] = [],
  ) {
    this.sinks = [
      createSink(options.stdout, 'stdout', options.maxBuffer, writableRoots),
      createSink(options.stderr, 'stderr', options.maxBuffer, writableRoots),
    ];
    let reject: (error: Error) => void = () => {};
    this.failed = new Promise<never>((_resolve, fail) => (reject = fail));
    this.failed.catch(() => {});
    const fail = (failure: Error) => {
      if (this.failure) return;
      this.failure = failure;
      reject(failure);
      for (const listener of this.failureListeners) listener(failure);
    };
    for (const [i, name] of (['stdout', 'stderr'] as const).entries()) {
      this.sinks[i]!.writable.once('error', (error: Error) => fail(new Error(`could not write its ${name} (${error.message})`, { cause: error })));
      // `run.stdout.destroy()` mid-output: like a broken pipe, it ends the run (nothing else would
      // ever end the sinks, and the run would wait for them forever).
      channels[name].once('close', () => {
        if (!channels[name].readableEnded && !channels[name].errored)
          fail(new Error(`run.${name} was closed before the tool's output ended (as a broken pipe)`));
      });
    }
    channels.stdout.pipe(this.sinks[0].writable);
    channels.stderr.pipe(this.sinks[1].writable);
    channels.stderr.pipe(this.tail);
  }

  /** Calls `listener` once if a sink fails (at once if one already did). */
  onFailure(listener: (error: Error) => void): void {
    if (this.failure) listener(this.failure);
    else this.failureListeners.push(listener);
  }

  stderrTail(): string {
    return this.tail.text();
  }

  /** Every byte handed on (files flushed); bounded by the caller since a Writable may stall. */
  flushed(): Promise<void> {
    return Promise.race([Promise.all(this.sinks.map((s) => s.done)).then(() => {}), this.failed]);
  }

  /** Captured output and notes (e.g. truncation), decoded as the caller asked. */
  captured(): { stdout: string | Buffer | undefined; stderr: string | Buffer | undefined; notes: string[] } {
    const [out, err] = this.sinks;
    return {
      stdout: decode(out.captured(), this.options.encoding),
      stderr: decode(err.captured(), this.options.encoding),
      notes: [out.note(), err.note()].filter((n): n is string => !!n),
    };
  }

  /** Success: files renamed into place. Failure: partial files removed. */
  async commit(success: boolean): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.commit(success)));
  }

  /** On failure: end whatever is still open so nothing waits forever, and drop partial files. */
  async abandon(): Promise<void> {
    for (const stream of [this.channels.stdout, this.channels.stderr]) if (!stream.writableEnded) stream.end();
    for (const sink of this.sinks) if (!sink.writable.writableEnded) sink.writable.end();
    await this.commit(false);
  }
}

function decode(data: Buffer | undefined, encoding: 'utf8' | 'buffer'): string | Buffer | undefined {
  if (data === undefined) return undefined;
  return encoding === 'buffer' ? data : data.toString('utf8');
}
