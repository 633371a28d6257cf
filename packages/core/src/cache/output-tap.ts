import type { Readable } from 'node:stream';
import type { RunChannels } from '../lifecycle/run-channels.js';
import type { BlobRef } from './cache-entry.js';
import type { BlobWriter, CacheStore } from './cache-store.js';

/** Copies of a run's stdout and stderr into the store while the run streams them (whatever its sinks). */
export class OutputTap {
  private constructor(private readonly taps: Array<{ writer: BlobWriter; ended: Promise<void>; stop: () => void }>) {}

  static async open(store: CacheStore, channels: RunChannels): Promise<OutputTap> {
    const taps = [];
    for (const stream of [channels.stdout, channels.stderr]) taps.push(tapInto(await store.blobWriter(), stream));
    return new OutputTap(taps);
  }

  /** After a successful run: the two blobs. */
  async commit(): Promise<[BlobRef, BlobRef]> {
    const refs = [];
    for (const tap of this.taps) {
      await tap.ended;
      refs.push(await tap.writer.commit());
    }
    return refs as [BlobRef, BlobRef];
  }

  async discard(): Promise<void> {
    for (const tap of this.taps) {
      tap.stop();
      await tap.writer.discard();
    }
  }
}

/** A listener beside the run's own consumers: it never slows the tool (the disk keeps up or buffers). */
function tapInto(writer: BlobWriter, stream: Readable): { writer: BlobWriter; ended: Promise<void>; stop: () => void } {
  const onData = (chunk: Buffer) => writer.write(chunk);
  stream.on('data', onData);
  const ended = new Promise<void>((resolve) => {
    if (stream.readableEnded) resolve();
    stream.once('end', resolve);
    stream.once('close', resolve);
  });
  return { writer, ended, stop: () => stream.off('data', onData) };
}
