import type { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { bounded } from '../lifecycle/bounded.js';
import type { RunChannels } from '../lifecycle/run-channels.js';
import { RunOutput } from '../lifecycle/run-output.js';
import type { RunSpec } from '../lifecycle/run-context.js';
import type { RunResult } from '../api/run-result.js';
import type { BlobRef, CacheEntry } from './cache-entry.js';
import type { CacheStore } from './cache-store.js';

/**
 * Serves a hit's stdout and stderr as if the tool were writing them: the stored bytes flow
 * through the run's own channels into its sinks, so `run.stdout`, `lines()`, capture (with its
 * maxBuffer), a Writable and a `{ file }` sink (renamed into place) behave as on a real run.
 */
export async function replayResult(
  store: CacheStore,
  entry: CacheEntry,
  spec: RunSpec,
  channels: RunChannels,
  signal: AbortSignal,
): Promise<RunResult> {
  const output = new RunOutput(
    channels,
    spec.options,
    spec.mounts.filter((m) => m.write).map((m) => m.path),
  );
  try {
    channels.onContainerId(entry.result.containerId);
    await bounded(
      Promise.race([Promise.all([feed(store, entry.stdout, channels.stdout), feed(store, entry.stderr, channels.stderr)]), output.failed]),
      signal,
      'replaying cached output',
    );
    await bounded(output.flushed(), signal, 'writing its output');
  } catch (error) {
    await output.abandon();
    throw error;
  }
  const captured = output.captured();
  await output.commit(true);
  const { startedAt, finishedAt, ...rest } = entry.result;
  return {
    ...rest,
    startedAt: new Date(startedAt),
    finishedAt: new Date(finishedAt),
    stdout: captured.stdout,
    stderr: captured.stderr,
    notes: captured.notes,
    cached: true,
  };
}

/** The stored bytes, checked (no link, size, hash) as every stored kind is: cache-store.ts. */
async function feed(store: CacheStore, blob: BlobRef, into: PassThrough): Promise<void> {
  await pipeline(await store.readBlob(blob), into);
}
