import type { Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { extract, type Extract } from 'tar-stream';

/** One archive member: its header and a stream of its bytes. */
export type TarEntry = Extract extends AsyncIterable<infer Source> ? Source : never;

/**
 * Writes a member's bytes to a new file at `path` (`wx`: never opens something already there;
 * mode 0600 until the caller sets the member's). tar-stream's entries are streamx streams: piped
 * by hand rather than through Node's pipeline. Settles only once the file is closed (nothing may
 * be created after the caller removes its folder), and also when the archive is cut short: the
 * entry is then destroyed, possibly before we got here.
 */
export function writeTarEntry(entry: TarEntry, path: string, hash?: Hash): Promise<void> {
  return new Promise((resolve, reject) => {
    const cut = () => new Error('the archive was cut short while this file was read');
    if (entry.destroyed) return reject(cut());
    const file = createWriteStream(path, { mode: 0o600, flags: 'wx', highWaterMark: 1 << 20 });
    let ended = false;
    let finished = false;
    let failure: Error | undefined;
    entry.once('end', () => (ended = true));
    entry.once('error', (error: Error) => file.destroy(error));
    entry.once('close', () => ended || file.destroy(cut()));
    if (hash) entry.on('data', (chunk) => hash.update(chunk as Buffer));
    file.once('error', (error) => (failure ??= error));
    file.once('finish', () => (finished = true));
    file.once('close', () => (finished && !failure ? resolve() : reject(failure ?? cut())));
    entry.pipe(file);
  });
}

/**
 * The members of the tar `source` streams, one at a time (each must be read or resumed before the
 * next arrives). Cancel ends `source`, and with it a member being written; leaving the loop early
 * ends the extraction.
 */
export async function* tarEntries(source: Readable, signal: AbortSignal): AsyncGenerator<TarEntry> {
  const tar = extract();
  // Listening at once (tar-stream drops entries nobody iterates; the source may fail meanwhile).
  const entries = tar[Symbol.asyncIterator]();
  source.on('error', (error) => tar.destroy(error));
  const stop = () => source.destroy(signal.reason as Error);
  signal.addEventListener('abort', stop, { once: true });
  try {
    source.pipe(tar);
    for await (const entry of { [Symbol.asyncIterator]: () => entries }) {
      signal.throwIfAborted();
      yield entry;
      entry.resume(); // whatever the caller did not read
    }
    signal.throwIfAborted();
  } finally {
    signal.removeEventListener('abort', stop);
    source.destroy();
  }
}
