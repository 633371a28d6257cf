import { open, type FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';

const CHUNK = 256 * 1024;

/**
 * Follows a file the node appends to (the tool's stdout or stderr on the shared filesystem) and
 * writes what arrives to the run's stream, honouring backpressure until told to drop output.
 * Binary-safe: bytes are passed on as read.
 */
export class FileFollower {
  private offset = 0;
  private dropping = false;
  private wakeDrain: (() => void) | undefined;

  constructor(
    private readonly path: string,
    private readonly sink: Writable,
  ) {}

  /**
   * Copies every byte written so far. The file is opened afresh each time: on NFS only an open
   * revalidates what another host wrote (close-to-open consistency); a long-open handle could
   * read stale, short data even after the job reported its exit.
   */
  async pump(): Promise<void> {
    const handle = await open(this.path, 'r').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined; // not created by the node yet
      throw error;
    });
    if (!handle) return;
    try {
      await this.copyFrom(handle);
    } finally {
      await handle.close().catch(() => {});
    }
  }

  /** After a kill: a stalled reader must not keep the run from ending. */
  drop(): void {
    this.dropping = true;
    this.wakeDrain?.();
  }

  /** Ends the run's stream. */
  async end(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.sink.once('error', reject);
      this.sink.end(() => resolve());
    });
  }

  private async copyFrom(handle: FileHandle): Promise<void> {
    for (;;) {
      const buffer = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, this.offset);
      if (bytesRead === 0) return;
      this.offset += bytesRead;
      if (!this.dropping && !this.sink.write(buffer.subarray(0, bytesRead))) await this.drained();
    }
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.sink.off('drain', done);
        this.wakeDrain = undefined;
        resolve();
      };
      this.wakeDrain = done;
      this.sink.once('drain', done);
    });
  }
}
