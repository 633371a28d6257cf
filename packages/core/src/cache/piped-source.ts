import type { Readable } from 'node:stream';
import { deferred } from '../util/deferred.js';

/**
 * A cached call's stdout as another call's stdin (`stdin: aligner.stdout`, as `bwa.mem` pipes
 * into `samtools sort`): its bytes are whatever that call's key produced, so the consumer can key
 * its stdin by the producer's key instead of reading it. The producer's cache layer registers its
 * stdout here synchronously when it starts (before anyone can pass the stream on), then says its
 * key, and later whether it succeeded: a consumer fed by a failed producer is never stored.
 */
export interface PipedSource {
  /** The producer's cache key; undefined when the producer does not use the cache. */
  key: Promise<string | undefined>;
  /** Whether the producer's run succeeded (a hit counts). */
  succeeded: Promise<boolean>;
  /** On a hit, the stored stdout (a blob path) the consumer may read instead; undefined when it runs. */
  served: Promise<string | undefined>;
  settleKey(key: string | undefined): void;
  settleServed(blobPath: string | undefined): void;
  settleOutcome(succeeded: boolean): void;
}

const sources = new WeakMap<Readable, PipedSource>();

/** The registration of a run's stdout (the producer's side). */
export function registerPipedSource(stdout: Readable): PipedSource {
  const key = deferred<string | undefined>();
  const succeeded = deferred<boolean>();
  const served = deferred<string | undefined>();
  const source: PipedSource = {
    key: key.promise,
    succeeded: succeeded.promise,
    served: served.promise,
    settleKey: (value) => key.resolve(value),
    settleServed: (blobPath) => served.resolve(blobPath),
    settleOutcome: (outcome) => {
      // No-ops for what was said already: a promise settles once.
      key.resolve(undefined);
      served.resolve(undefined);
      succeeded.resolve(outcome);
    },
  };
  sources.set(stdout, source);
  return source;
}

/** The producer behind a stdin stream, if it is a cached call's stdout (the consumer's side). */
export function pipedSourceOf(stdin: Readable): PipedSource | undefined {
  return sources.get(stdin);
}
