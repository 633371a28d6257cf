import { createHash, randomBytes } from 'node:crypto';
import { constants, createWriteStream, type WriteStream } from 'node:fs';
import { lstat, open, rename, unlink, utimes, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { ensureOwnDirectory, PRIVATE_FILE_MODE } from '../util/own-directory.js';
import { ENTRY_VERSION, type BlobRef, type CacheEntry } from './cache-entry.js';

/**
 * An entry is a small JSON document (a few hundred bytes a file it lists); anything larger is
 * not one of ours, and is refused by its size before a byte of it is read.
 */
export const MAX_ENTRY_BYTES = 32 * 1024 * 1024;

/** A stored blob that is not what its name says (changed, replaced, a link): the store was tampered with. */
export class TamperedBlob extends Error {
  override readonly name = 'TamperedBlob';
}

/**
 * The cache's layout on disk, one directory:
 *   blobs/sha256/<2 hex>/<62 hex>   content-addressed bytes: identical outputs are stored once
 *   entries/<2 hex>/<key>.json      one per cached call; its mtime is the last hit (LRU)
 *   locks/<key>.lock                a call being computed (cache-lock.ts)
 *   tmp/                            everything is written here first, then renamed into place,
 *                                   so nothing half-written ever has a final name
 * Directories are 0700 and files 0600 (cached outputs are the caller's data). Every stored kind —
 * entry, stdout, stderr, output file — is checked when read: entries by size before reading,
 * blobs opened without following a link, as a regular file of the recorded size, and hashed
 * against their name (a mismatch is a miss, or the hit's error once bytes went out).
 */
export class CacheStore {
  constructor(readonly dir: string) {}

  blobPath(sha256: string): string {
    return join(this.dir, 'blobs', 'sha256', sha256.slice(0, 2), sha256.slice(2));
  }

  entryPath(key: string): string {
    return join(this.dir, 'entries', key.slice(0, 2), `${key}.json`);
  }

  /** The entry for `key`, or undefined when absent, unreadable, too large or of another format (a miss). */
  async readEntry(key: string): Promise<CacheEntry | undefined> {
    try {
      const text = await readEntryFile(this.entryPath(key));
      if (text === undefined) return undefined;
      const entry = JSON.parse(text) as CacheEntry;
      return entry.version === ENTRY_VERSION && entry.key === key ? entry : undefined;
    } catch {
      return undefined;
    }
  }

  async writeEntry(entry: CacheEntry): Promise<void> {
    const path = this.entryPath(entry.key);
    await ensureOwnDirectory(join(path, '..'));
    const temp = await this.tempPath();
    await writeFile(temp, JSON.stringify(entry), { flag: 'wx', mode: PRIVATE_FILE_MODE });
    await rename(temp, path);
  }

  /** Records a hit: the entry's mtime is its last use, which pruning by size reads. */
  async markHit(key: string): Promise<void> {
    const now = new Date();
    await utimes(this.entryPath(key), now, now).catch(() => {});
  }

  /** Stores a regular file's bytes (a symlink swapped in is refused: O_NOFOLLOW). */
  async putFile(path: string): Promise<BlobRef> {
    const source = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const writer = await this.blobWriter();
      try {
        for await (const chunk of source.createReadStream({ autoClose: false })) {
          if (!writer.write(chunk as Buffer)) await writer.drained();
        }
      } catch (error) {
        await writer.discard();
        throw error;
      }
      return await writer.commit();
    } finally {
      await source.close();
    }
  }

  /** A blob written chunk by chunk (a tee of the tool's output), named by its hash when committed. */
  async blobWriter(): Promise<BlobWriter> {
    return new BlobWriter(this, await this.tempPath());
  }

  async tempPath(): Promise<string> {
    const dir = join(this.dir, 'tmp');
    await ensureOwnDirectory(dir);
    return join(dir, `${process.pid}-${randomBytes(8).toString('hex')}`);
  }

  /** Whether the blob is there, a regular file (not a link) with its size; its bytes are checked when read. */
  async hasBlob(ref: BlobRef): Promise<boolean> {
    const here = await lstat(this.blobPath(ref.sha256)).catch(() => undefined);
    return !!here?.isFile() && here.size === ref.size;
  }

  /**
   * A blob's bytes, checked as they stream: opened without following a link, a regular file of
   * the recorded size, and the stream fails with {@link TamperedBlob} at its end if the bytes
   * do not hash to the blob's name.
   */
  async readBlob(ref: BlobRef): Promise<Readable> {
    const file = await this.openBlob(ref);
    const hash = createHash('sha256');
    const check = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        callback(null, chunk);
      },
      flush(callback) {
        callback(hash.digest('hex') === ref.sha256 ? null : new TamperedBlob(`cached blob ${ref.sha256} does not match its hash`));
      },
    });
    const bytes = file.createReadStream({ start: 0 });
    bytes.on('error', (error) => check.destroy(error));
    return bytes.pipe(check);
  }

  /** Whether a blob's bytes still hash to its name (read through; used before serving a hit). */
  async blobIntact(ref: BlobRef): Promise<boolean> {
    try {
      const stream = await this.readBlob(ref);
      for await (const chunk of stream) void chunk;
      return true;
    } catch {
      return false;
    }
  }

  private async openBlob(ref: BlobRef): Promise<FileHandle> {
    const file = await open(this.blobPath(ref.sha256), constants.O_RDONLY | constants.O_NOFOLLOW).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ELOOP' ? new TamperedBlob(`cached blob ${ref.sha256} is a symbolic link`) : error;
    });
    const stats = await file.stat();
    if (!stats.isFile() || stats.size !== ref.size) {
      await file.close();
      throw new TamperedBlob(`cached blob ${ref.sha256} is not a regular file of ${ref.size} bytes`);
    }
    return file;
  }
}

/** An entry file's text; undefined when it is a link, not a regular file, or larger than {@link MAX_ENTRY_BYTES}. */
export async function readEntryFile(path: string): Promise<string | undefined> {
  const file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const stats = await file.stat();
    if (!stats.isFile() || stats.size > MAX_ENTRY_BYTES) return undefined;
    // One byte more than it said: a file growing meanwhile is refused too, never read without end.
    const buffer = Buffer.alloc(stats.size + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await file.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled > stats.size ? undefined : buffer.subarray(0, filled).toString('utf8');
  } finally {
    await file.close();
  }
}

/** Hashes and writes a blob's bytes to a temp file; `commit` renames it to its content's name. */
export class BlobWriter {
  private readonly stream: WriteStream;
  private readonly hash = createHash('sha256');
  private size = 0;
  private failure: Error | undefined;

  constructor(
    private readonly store: CacheStore,
    private readonly temp: string,
  ) {
    this.stream = createWriteStream(temp, { flags: 'wx', mode: PRIVATE_FILE_MODE });
    this.stream.on('error', (error) => (this.failure ??= error)); // reported by commit
  }

  /** False when the caller should wait for the disk (`drained()`) before writing more. */
  write(chunk: Buffer): boolean {
    this.hash.update(chunk);
    this.size += chunk.length;
    return this.stream.write(chunk);
  }

  drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.stream.off('drain', done);
        this.stream.off('close', done);
        resolve();
      };
      this.stream.once('drain', done);
      this.stream.once('close', done);
    });
  }

  async commit(): Promise<BlobRef> {
    await closed(this.stream);
    if (this.failure) throw this.failure;
    const sha256 = this.hash.digest('hex');
    const path = this.store.blobPath(sha256);
    if (await this.store.hasBlob({ sha256, size: this.size })) {
      await unlink(this.temp).catch(() => {}); // already stored once
    } else {
      await ensureOwnDirectory(join(path, '..'));
      await rename(this.temp, path);
    }
    return { sha256, size: this.size };
  }

  async discard(): Promise<void> {
    this.stream.destroy();
    await unlink(this.temp).catch(() => {});
  }
}

function closed(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.closed) return resolve();
    stream.once('close', resolve);
    if (!stream.writableEnded) stream.end();
  });
}
