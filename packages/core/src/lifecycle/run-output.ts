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

  constructor(private readonly channels: RunChannels, private readonly options: ParsedRunOptions) {
    this.sinks = [createSink(options.stdout, 'stdout', options.maxBuffer), createSink(options.stderr, 'stderr', options.maxBuffer)];
    channels.stdout.pipe(this.sinks[0].writable);
    channels.stderr.pipe(this.sinks[1].writable);
    channels.stderr.pipe(this.tail);
  }

  stderrTail(): string {
    return this.tail.text();
  }

  /** Every byte handed on (files flushed); bounded by the caller since a Writable may stall. */
  flushed(): Promise<void> {
    return Promise.all(this.sinks.map((s) => s.done)).then(() => {});
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
