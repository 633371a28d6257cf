import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { OutputSink } from './options.js';

/** Where one output stream of a run ends up, and how it is finished. */
export interface SinkHandle {
  /** Receives the stream's bytes (piped from `run.stdout` / `run.stderr`). */
  readonly writable: Writable;
  /** Resolves when every byte has been handed on (file flushed and closed). */
  readonly done: Promise<void>;
  /** Success: make a file visible under its final name. Failure: remove the partial file. */
  commit(success: boolean): Promise<void>;
  /** Captured bytes, if this sink captures. */
  captured(): Buffer | undefined;
  /** A note for the result when something was dropped. */
  note(): string | undefined;
}

export function createSink(sink: OutputSink, name: 'stdout' | 'stderr', maxBuffer: number): SinkHandle {
  if (sink === 'capture') return captureSink(name, maxBuffer);
  if (sink === 'ignore') return wrap(new Writable({ write: (_c, _e, cb) => cb() }));
  if (sink instanceof Writable) return wrap(forwardTo(sink));
  return fileSink((sink as { file: string }).file);
}

function wrap(writable: Writable, extra: Partial<SinkHandle> = {}): SinkHandle {
  const done = new Promise<void>((resolve, reject) => {
    writable.once('finish', resolve);
    writable.once('error', reject);
  });
  done.catch(() => {});
  return { writable, done, commit: async () => {}, captured: () => undefined, note: () => undefined, ...extra };
}

/** Keeps the first `maxBuffer` bytes, drains the rest (never blocks the tool), and says so. */
function captureSink(name: string, maxBuffer: number): SinkHandle {
  const chunks: Buffer[] = [];
  let kept = 0;
  let dropped = 0;
  const writable = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const room = maxBuffer - kept;
      if (room >= chunk.length) {
        chunks.push(chunk);
        kept += chunk.length;
      } else {
        if (room > 0) chunks.push(chunk.subarray(0, room));
        kept += Math.max(room, 0);
        dropped += chunk.length - Math.max(room, 0);
      }
      callback();
    },
  });
  return wrap(writable, {
    captured: () => Buffer.concat(chunks, kept),
    note: () => dropped > 0
      ? `${name} was truncated: kept the first ${kept} bytes (maxBuffer), dropped ${dropped}; ` +
        `send it to a file ({ ${name}: { file } }) or a stream to keep all of it`
      : undefined,
  });
}

/** Forwards into a caller's stream without ending it (it may be process.stdout). */
function forwardTo(target: Writable): Writable {
  return new Writable({
    write(chunk, _encoding, callback) {
      if (target.write(chunk)) callback();
      else target.once('drain', () => callback());
    },
  });
}

/** Writes to a hidden temp file beside the target; renamed into place only on success. */
function fileSink(path: string): SinkHandle {
  const temp = join(dirname(path), `.${basename(path)}.partial-${randomBytes(4).toString('hex')}`);
  const writable = createWriteStream(temp, { flags: 'wx' });
  const done = new Promise<void>((resolve, reject) => {
    writable.once('close', resolve);
    writable.once('error', reject);
  });
  done.catch(() => {});
  return {
    writable,
    done,
    async commit(success) {
      await done.catch(() => {});
      if (success) await rename(temp, path);
      else await unlink(temp).catch(() => {});
    },
    captured: () => undefined,
    note: () => undefined,
  };
}

/** Keeps the last bytes of a stream, for error messages, whatever the sink. */
export class TailKeeper extends Writable {
  private tail = Buffer.alloc(0);
  constructor(private readonly limit = 16 * 1024) {
    super();
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.tail = this.tail.length + chunk.length <= this.limit
      ? Buffer.concat([this.tail, chunk])
      : Buffer.concat([this.tail, chunk]).subarray(-this.limit);
    callback();
  }
  text(): string {
    return this.tail.toString('utf8');
  }
}
