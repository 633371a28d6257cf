import { finished, PassThrough, Writable } from 'node:stream';
import type { RunChannels } from '../lifecycle/run-channels.js';

/**
 * The output channels of a retried run. Each attempt writes into streams of its own — so its
 * sinks (capture, `{ file }`) see that attempt alone and a failed attempt's partial file is
 * dropped with it — which are piped into the run's live streams (`run.stdout`, `lines()`)
 * without ending them: those carry every attempt's output, and end after the last one.
 */
export class AttemptStreams {
  private current: PassThrough[] = [];

  constructor(private readonly outer: RunChannels) {
    // Unretried, the sinks read the live streams and keep them flowing; here the sinks read
    // each attempt's own streams, so the live ones need a reader of their own, or an unread
    // `run.stdout` would fill up and stall the tool.
    for (const stream of [outer.stdout, outer.stderr]) stream.pipe(new Writable({ write: (_chunk, _encoding, done) => done() }));
  }

  /** Fresh channels for the next attempt (the cancel signal and container-id hook are the run's). */
  open(): RunChannels {
    const stdout = attemptStream(this.outer.stdout);
    const stderr = attemptStream(this.outer.stderr);
    this.current = [stdout, stderr];
    return { stdout, stderr, abort: this.outer.abort, onContainerId: this.outer.onContainerId };
  }

  /**
   * Resolves once the last attempt's output has been handed to the live streams (or after
   * `maxWaitMs`, for a reader that stopped reading), so attempts do not interleave there.
   */
  drained(maxWaitMs: number): Promise<void> {
    const ends = this.current.map((stream) => new Promise<void>((resolve) => finished(stream, { writable: false }, () => resolve())));
    let timer: NodeJS.Timeout | undefined;
    const cap = new Promise<void>((resolve) => (timer = setTimeout(resolve, maxWaitMs)));
    return Promise.race([Promise.all(ends).then(() => {}), cap]).finally(() => clearTimeout(timer));
  }

  /** After the last attempt: the live streams end once its output is through. */
  close(): void {
    const [stdout, stderr] = this.current;
    endAfter(stdout, this.outer.stdout);
    endAfter(stderr, this.outer.stderr);
  }
}

function attemptStream(outer: PassThrough): PassThrough {
  const stream = new PassThrough();
  // A stream error ends the attempt through its own handling; unheard, it would crash the process.
  stream.on('error', () => {});
  stream.pipe(outer, { end: false });
  return stream;
}

function endAfter(inner: PassThrough | undefined, outer: PassThrough): void {
  if (!inner) return void outer.end();
  finished(inner, { writable: false }, () => {
    inner.unpipe(outer);
    if (!outer.writableEnded) outer.end();
  });
}
