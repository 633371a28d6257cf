import { Writable, type Writable as WritableType } from 'node:stream';

const HEADER = 8;

/**
 * Splits Docker's multiplexed attach stream (Tty:false) into stdout and stderr.
 * Each frame is an 8-byte header (stream type, 3 zero bytes, big-endian length) and a payload.
 * Payloads are forwarded as slices (no copy) and a write completes only when both targets
 * accepted it, so a slow consumer pauses the daemon instead of filling our memory
 * (docker-modem's demuxStream ignores backpressure). The targets are ended when the input ends.
 */
export class DockerDemuxer extends Writable {
  private readonly header = Buffer.alloc(HEADER);
  private headerFill = 0;
  private frameLeft = 0;
  private frameTarget: WritableType | undefined;
  private discarding = false;
  private pendingWrite: (() => void) | undefined;

  constructor(
    private readonly stdout: WritableType,
    private readonly stderr: WritableType,
  ) {
    super({ highWaterMark: 64 * 1024 });
  }

  /**
   * From now on, drops output instead of waiting for slow readers: after a kill, a reader that
   * stopped reading must not keep the daemon (and so the run) from finishing.
   */
  discard(): void {
    this.discarding = true;
    const pending = this.pendingWrite;
    this.pendingWrite = undefined;
    pending?.();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.discarding) return callback();
    let offset = 0;
    const blocked = new Set<WritableType>();
    while (offset < chunk.length) {
      if (this.frameLeft === 0) {
        const take = Math.min(HEADER - this.headerFill, chunk.length - offset);
        chunk.copy(this.header, this.headerFill, offset, offset + take);
        this.headerFill += take;
        offset += take;
        if (this.headerFill < HEADER) break;
        this.headerFill = 0;
        this.frameLeft = this.header.readUInt32BE(4);
        // 1 = stdout; 2 = stderr; 0 (stdin echo) and 3 (daemon error text) are shown as stderr.
        this.frameTarget = this.header[0] === 1 ? this.stdout : this.stderr;
        continue;
      }
      const take = Math.min(this.frameLeft, chunk.length - offset);
      const target = this.frameTarget!;
      if (!target.write(chunk.subarray(offset, offset + take))) blocked.add(target);
      this.frameLeft -= take;
      offset += take;
    }
    const waits = [...blocked].filter((t) => t.writableNeedDrain).map(drained);
    if (waits.length === 0) return callback();
    let called = false;
    const done = () => {
      if (called) return;
      called = true;
      this.pendingWrite = undefined;
      callback();
    };
    this.pendingWrite = done;
    void Promise.all(waits).then(done);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.stdout.end();
    this.stderr.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (error) {
      this.stdout.destroy(error);
      this.stderr.destroy(error);
    }
    callback(error);
  }
}

/** Resolves on 'drain', or on 'close' (a destroyed consumer must not stall the daemon). */
function drained(target: WritableType): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      target.off('drain', done);
      target.off('close', done);
      resolve();
    };
    target.on('drain', done);
    target.on('close', done);
  });
}
