import { Writable, type Readable } from 'node:stream';

/** One line of a tool's output, without its line ending. */
export interface OutputLine {
  stream: 'stdout' | 'stderr';
  line: string;
}

/**
 * Lines of both streams, merged in arrival order. Each stream is split on its own branch of the
 * output, and a branch takes its next chunk only once the caller took the lines of the last one,
 * so the caller's pace applies backpressure to the tool. When the caller stops early (`break`,
 * `return`, a throw), the branches are unpiped: the run and its other sinks carry on unhindered.
 */
export async function* outputLines(stdout: Readable, stderr: Readable, maxLineBytes?: number): AsyncGenerator<OutputLine> {
  const queue: OutputLine[] = [];
  const held: Array<() => void> = [];
  let open = 2;
  let stopped = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const release = () => {
    for (const callback of held.splice(0)) callback();
  };

  const branch = (stream: OutputLine['stream'], source: Readable) => {
    const splitter = new LineSplitter(maxLineBytes);
    const take = (lines: string[]) => {
      for (const line of lines) queue.push({ stream, line });
      notify();
    };
    let ended = false;
    const finish = () => {
      if (ended) return;
      ended = true;
      take(splitter.end());
      open--;
      notify();
    };
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        if (stopped) return callback(); // what was already on its way when the caller left
        take(splitter.push(chunk));
        // Held until the caller drained the queue: that is the backpressure.
        if (queue.length === 0) callback();
        else held.push(callback);
      },
      final(callback) {
        finish();
        callback();
      },
    });
    // A source destroyed without an end (the run broke off) ends its lines too.
    const onClose = () => {
      if (!source.readableEnded) sink.end();
    };
    source.once('close', onClose);
    source.pipe(sink);
    if (source.readableEnded) sink.end(); // called late: nothing more will come
    return () => {
      source.off('close', onClose);
      source.unpipe(sink);
    };
  };

  const detach = [branch('stdout', stdout), branch('stderr', stderr)];
  try {
    for (;;) {
      const next = queue.shift();
      if (next) {
        if (queue.length === 0) release();
        yield next;
        continue;
      }
      release();
      if (open === 0) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    // Unpiping also resumes a source that waited for this branch to drain.
    stopped = true;
    for (const stop of detach) stop();
    release();
  }
}

/** The most of one line `lines()` keeps; the rest of a longer line is dropped and counted. */
export const MAX_LINE_BYTES = 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;

/**
 * Splits a byte stream into lines on `\n`, `\r\n` and a lone `\r` (as readline did: progress
 * meters redraw with it), decoding each whole line as UTF-8 — so a character split across chunks
 * stays whole. One line holds at most `maxLineBytes` (cut on a character boundary); the rest of
 * that line is only counted, and the line ends with a marker saying how much was dropped. Memory
 * stays flat whatever the tool prints.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private kept = 0;
  private dropped = 0;
  /** The last chunk ended in `\r`: a `\n` starting the next one belongs to it. */
  private afterCR = false;

  constructor(private readonly maxLineBytes = MAX_LINE_BYTES) {}

  /** The lines completed by `chunk`. */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = this.afterCR && chunk[0] === LF ? 1 : 0;
    this.afterCR = false;
    let nextLF = chunk.indexOf(LF, start);
    let nextCR = chunk.indexOf(CR, start);
    while (nextLF !== -1 || nextCR !== -1) {
      const end = nextCR === -1 || (nextLF !== -1 && nextLF < nextCR) ? nextLF : nextCR;
      this.append(chunk.subarray(start, end));
      lines.push(this.take());
      start = end + 1;
      if (chunk[end] === CR) {
        if (end + 1 === chunk.length) this.afterCR = true;
        else if (chunk[end + 1] === LF) start++;
      }
      if (nextLF !== -1 && nextLF < start) nextLF = chunk.indexOf(LF, start);
      if (nextCR !== -1 && nextCR < start) nextCR = chunk.indexOf(CR, start);
    }
    this.append(chunk.subarray(start));
    return lines;
  }

  /** At the end of the stream: the last line, if it had no line ending. */
  end(): string[] {
    return this.kept > 0 || this.dropped > 0 ? [this.take()] : [];
  }

  private append(bytes: Buffer): void {
    const room = this.maxLineBytes - this.kept;
    if (bytes.length <= room) {
      if (bytes.length > 0) this.parts.push(bytes);
      this.kept += bytes.length;
      return;
    }
    if (room > 0) this.parts.push(bytes.subarray(0, room));
    this.kept += Math.max(room, 0);
    this.dropped += bytes.length - Math.max(room, 0);
  }

  private take(): string {
    const bytes = Buffer.concat(this.parts, this.kept);
    const { dropped } = this;
    this.parts = [];
    this.kept = 0;
    this.dropped = 0;
    if (dropped === 0) return bytes.toString('utf8');
    const cut = characterBoundary(bytes);
    return `${bytes.toString('utf8', 0, cut)}… [line truncated: ${dropped + bytes.length - cut} bytes dropped]`;
  }
}

/** The length of `bytes` without a UTF-8 character that the cut left incomplete at its end. */
function characterBoundary(bytes: Buffer): number {
  let lead = bytes.length - 1;
  while (lead > 0 && bytes.length - lead < 4 && (bytes[lead]! & 0xc0) === 0x80) lead--;
  if (lead < 0) return 0;
  const first = bytes[lead]!;
  const needed = first >= 0xf0 ? 4 : first >= 0xe0 ? 3 : first >= 0xc0 ? 2 : 1;
  return bytes.length - lead < needed ? lead : bytes.length;
}
