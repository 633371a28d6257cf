import { createWriteStream, readdirSync, unlinkSync } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { hiddenTempName, partialPrefix } from '../util/hidden-temp-name.js';
import { abandonedBy, localOwner } from '../util/process-owner.js';
import type { OutputSink } from '../api/options.js';
import { LinkedPathError, linkOnTheWay } from '../util/link-safety.js';

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

/** `writableRoots`: the run's writable mounts, from which a `{ file }` sink's path must hold no link. */
export function createSink(sink: OutputSink, name: 'stdout' | 'stderr', maxBuffer: number, writableRoots: readonly string[] = []): SinkHandle {
  if (sink === 'capture') return captureSink(name, maxBuffer);
  if (sink === 'ignore') return wrap(new Writable({ write: (_c, _e, cb) => cb() }));
  if (sink instanceof Writable) return wrap(forwardTo(sink));
  const file = (sink as { file: string }).file;
  const linked = writableRoots.map((root) => linkOnTheWay(root, file)).find((problem) => problem !== undefined);
  return linked ? refusedSink(new LinkedPathError(linked)) : fileSink(file);
}

/** A sink that fails at once (the run's error path), having written nothing anywhere. */
function refusedSink(error: Error): SinkHandle {
  const writable = new Writable({ write: (_c, _e, cb) => cb(error) });
  const handle = wrap(writable);
  queueMicrotask(() => writable.destroy(error));
  return handle;
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
    note: () =>
      dropped > 0
        ? `${name} was truncated: kept the first ${kept} bytes (maxBuffer), dropped ${dropped}; ` +
          `send it to a file ({ ${name}: { file } }) or a stream to keep all of it`
        : undefined,
  });
}

/**
 * Forwards into a caller's stream without ending it (it may be process.stdout). Its errors —
 * `/dev/full`, a directory that does not exist — fail the forwarder, so they reach the run's
 * error path (RunOutput.failed) instead of crashing the process as an unhandled 'error'.
 * The forwarder finishes only once the target has taken every byte handed to it: a file stream
 * writes asynchronously, and its ENOSPC may arrive after the tool's output ended.
 */
function forwardTo(target: Writable): Writable {
  let pending = 0;
  let whenFlushed: (() => void) | undefined;
  const handedOn = () => {
    pending -= 1;
    if (pending === 0) whenFlushed?.();
  };
  const forwarder = new Writable({
    write(chunk, _encoding, callback) {
      if (target.destroyed || target.writableEnded) return callback(target.errored ?? new Error('the stream was closed before the run ended'));
      pending += 1;
      if (target.write(chunk, handedOn)) callback();
      else target.once('drain', () => callback());
    },
    final(callback) {
      const settle = () => callback(target.errored ?? null);
      if (pending === 0 || target.destroyed) return settle();
      whenFlushed = settle;
    },
  });
  // Until the forwarder closes, which is after the target took every byte (or failed).
  const onError = (error: Error) => forwarder.destroy(error);
  target.on('error', onError);
  // Only for the run's lifetime: a stream shared by many runs (process.stdout) collects no listeners.
  // But a target that failed emits its 'error' only once it has closed (a file stream closes its fd
  // first), which can be after the forwarder closed: keep listening until then, or that 'error'
  // has no listener and crashes the process.
  forwarder.once('close', () => {
    if (target.destroyed && !target.closed) target.once('close', () => target.off('error', onError));
    else target.off('error', onError);
  });
  if (target.errored) queueMicrotask(() => forwarder.destroy(target.errored!));
  return forwarder;
}

/**
 * Writes to a hidden temp file beside the target; renamed into place only on success. The temp
 * name carries our host and pid, so a later run can tell a partial whose writer died (SIGKILL,
 * a crash) from one still being written, and removes the dead ones before it starts.
 */
function fileSink(path: string): SinkHandle {
  removeStalePartials(path);
  const temp = hiddenTempName(path, partialOwner());
  livePartial(temp);
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
      try {
        if (success) await rename(temp, path);
        else await unlink(temp).catch(() => {});
      } finally {
        livePartials.delete(temp);
      }
    },
    captured: () => undefined,
    note: () => undefined,
  };
}

/**
 * Where our pid means something, for partial names: the host name (file-name safe, short enough
 * to leave room for the target's name) and the pid namespace, since two containers may share a
 * host name and a volume while their pids are unrelated.
 */
/** `<host>-<pid>`: the owner part of our partial names (util/hidden-temp-name.ts), for a later sweep. */
export function partialOwner(): string {
  return `${localOwner()}-${process.pid}`;
}

/** Removes partials of `path` left by a process of this host that no longer exists. */
function removeStalePartials(path: string): void {
  const dir = dirname(path);
  const prefix = partialPrefix(path);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // the write itself will report a missing directory
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    // `<host>-<pid>-<8 hex>`; names without an owner (`<8 hex>` only) say nothing about their writer and stay.
    const owner = /^(.+)-(\d+)-[0-9a-f]{8}$/.exec(name.slice(prefix.length));
    if (!owner || !abandonedBy(owner[1]!, Number(owner[2]))) continue;
    try {
      unlinkSync(join(dir, name));
    } catch {
      /* removed by someone else meanwhile */
    }
  }
}

/** Partial files this process is writing: nobody can finish them once it exits. */
const livePartials = new Set<string>();
let exitHookInstalled = false;

function livePartial(temp: string): void {
  livePartials.add(temp);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // process.exit() — e.g. a program's own SIGTERM handler — skips every run's cleanup.
    process.once('exit', removeLivePartials);
  }
}

/**
 * Removes this process's partial files, synchronously: called when it is about to die (a signal
 * we re-raise, exit), so no `.partial-*` file outlives its writer.
 */
export function removeLivePartials(): void {
  for (const temp of livePartials) {
    try {
      unlinkSync(temp);
    } catch {
      /* already gone */
    }
  }
  livePartials.clear();
}

/** Keeps the last bytes of a stream, for error messages, whatever the sink. */
export class TailKeeper extends Writable {
  private tail = Buffer.alloc(0);
  constructor(private readonly limit = 16 * 1024) {
    super();
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.tail =
      this.tail.length + chunk.length <= this.limit ? Buffer.concat([this.tail, chunk]) : Buffer.concat([this.tail, chunk]).subarray(-this.limit);
    callback();
  }
  text(): string {
    return this.tail.toString('utf8');
  }
}
