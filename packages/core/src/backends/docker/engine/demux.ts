import { Writable, type Writable as WritableType } from 'node:stream';

const HEADER = 8;
/** Stderr frames up to this size are checked whole for a runtime's notice. */
const NOTICE_MAX = 1024;

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
  /** A short stderr frame being collected whole, to tell a runtime's notice from the tool's output. */
  private collecting: Buffer[] | undefined;
  /** Runtime notices taken out of the tool's stderr (see `isRuntimeNotice`). */
  readonly notices: string[] = [];

  /**
   * `isRuntimeNotice`: for runtimes that write their own error text into the tool's stderr
   * stream (Podman, when its attach breaks); a matching stderr frame is kept out of the tool's
   * output and listed in {@link notices} instead.
   */
  constructor(
    private readonly stdout: WritableType,
    private readonly stderr: WritableType,
    private readonly isRuntimeNotice?: (text: string) => boolean,
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
        // A notice is one short frame; only those are held until complete (no delay for real output).
        this.collecting = this.isRuntimeNotice && this.frameTarget === this.stderr && this.frameLeft <= NOTICE_MAX ? [] : undefined;
        continue;
      }
      const take = Math.min(this.frameLeft, chunk.length - offset);
      const target = this.frameTarget!;
      const payload = chunk.subarray(offset, offset + take);
      this.frameLeft -= take;
      offset += take;
      if (this.collecting) {
        this.collecting.push(payload);
        if (this.frameLeft > 0) continue;
        const frame = Buffer.concat(this.collecting);
        this.collecting = undefined;
        if (this.isRuntimeNotice!(frame.toString('utf8'))) {
          this.notices.push(frame.toString('utf8').trim());
          continue;
        }
        if (!target.write(frame)) blocked.add(target);
        continue;
      }
      if (!target.write(payload)) blocked.add(target);
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
