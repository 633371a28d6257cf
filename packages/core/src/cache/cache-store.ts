import { createHash, randomBytes } from 'node:crypto';
import { constants, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ENTRY_VERSION, type BlobRef, type CacheEntry } from './cache-entry.js';

/**
 * The cache's layout on disk, one directory:
 *   blobs/sha256/<2 hex>/<62 hex>   content-addressed bytes: identical outputs are stored once
 *   entries/<2 hex>/<key>.json      one per cached call; its mtime is the last hit (LRU)
 *   locks/<key>.lock                a call being computed (cache-lock.ts)
 *   tmp/                            everything is written here first, then renamed into place,
 *                                   so nothing half-written ever has a final name
 */
export class CacheStore {
  constructor(readonly dir: string) {}

  blobPath(sha256: string): string {
    return join(this.dir, 'blobs', 'sha256', sha256.slice(0, 2), sha256.slice(2));
  }

  entryPath(key: string): string {
    return join(this.dir, 'entries', key.slice(0, 2), `${key}.json`);
  }

  /** The entry for `key`, or undefined when absent, unreadable or of another format (a miss). */
  async readEntry(key: string): Promise<CacheEntry | undefined> {
    try {
      const entry = JSON.parse(await readFile(this.entryPath(key), 'utf8')) as CacheEntry;
      return entry.version === ENTRY_VERSION && entry.key === key ? entry : undefined;
    } catch {
      return undefined;
    }
  }

  async writeEntry(entry: CacheEntry): Promise<void> {
    const path = this.entryPath(entry.key);
    await mkdir(join(path, '..'), { recursive: true });
    const temp = await this.tempPath();
    await writeFile(temp, JSON.stringify(entry), { flag: 'wx' });
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
    await mkdir(dir, { recursive: true });
    return join(dir, `${process.pid}-${randomBytes(8).toString('hex')}`);
  }

  /** Whether the blob is there with its size (its name is its hash; restore verifies the bytes). */
  async hasBlob(ref: BlobRef): Promise<boolean> {
    return (await stat(this.blobPath(ref.sha256)).catch(() => undefined))?.size === ref.size;
  }
}

/** Hashes and writes a blob's bytes to a temp file; `commit` renames it to its content's name. */
export class BlobWriter {
  private readonly stream: WriteStream;
  private readonly hash = createHash('sha256');
  private size = 0;
  private failure: Error | undefined;

  constructor(private readonly store: CacheStore, private readonly temp: string) {
    this.stream = createWriteStream(temp, { flags: 'wx', mode: 0o444 });
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
      await mkdir(join(path, '..'), { recursive: true });
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
