import { bounded, RunAborted } from '../lifecycle/bounded.js';
import type { RunTrace } from '../layers/run-trace.js';
import type { RunChannels, RunSpec } from '../lifecycle/run-context.js';
import type { CacheEntry } from './cache-entry.js';
import type { CacheSettings } from './cache-settings.js';
import type { CacheStore } from './cache-store.js';
import type { CallInputs } from './call-inputs.js';
import type { PipedSource } from './piped-source.js';
import { racyInputsHold } from './racy-inputs.js';
import { restoreOutputs } from './restore-outputs.js';
import { keptFingerprints } from './store-run.js';
import { keptStillHold, writableState } from './writable-state.js';

/** What serving a hit needs of the call. */
export interface HitCall {
  spec: RunSpec;
  channels: RunChannels;
  trace: RunTrace;
  settings: CacheSettings;
  store: CacheStore;
  signal: AbortSignal;
  /** This call's stdout as a later call's stdin may name it. */
  source?: PipedSource;
}

/** An entry ready to be served: its outputs are back in place. */
export interface ReadyHit {
  entry: CacheEntry;
}

/**
 * Gets the call's entry ready to serve, if there is one that still holds: its blobs present, the
 * files it left alone in the writable mounts unchanged, its outputs restored (then the hit is
 * traced and counted). Undefined means "run the tool": no entry, or one that cannot be served as
 * stored (restoring is atomic per file, so a failed restore leaves nothing half-written; the run
 * then rewrites what it produces).
 */
export async function readyHit(call: HitCall, key: string, inputs: CallInputs): Promise<ReadyHit | undefined> {
  const { spec, store, signal } = call;
  const entry = await bounded(store.readEntry(key), signal, 'reading the cache');
  if (!entry || !(await bounded(usable(store, entry, spec), signal, 'checking the cache'))) return undefined;
  const states = await bounded(writableState(spec), signal, 'looking at its writable mounts');
  if (!(await bounded(keptStillHold(entry.kept, states), signal, 'checking the cache'))) return undefined;
  if (!(await bounded(racyInputsHold(spec, entry.racyInputs), signal, 'checking the cache'))) return undefined;
  const restored = await bounded(restoreOutputs(store, entry, states, spec.args), signal, 'restoring cached outputs').catch((error: unknown) => {
    if (error instanceof RunAborted) throw error;
    return undefined;
  });
  if (!restored) return undefined;
  await store.markHit(key);
  call.source?.settleServed(store.blobPath(entry.stdout.sha256));
  call.trace.cache = {
    key,
    hit: true,
    inputMode: call.settings.inputs,
    inputs: [...inputs.fingerprints, ...keptFingerprints(entry.kept, states)],
    outputs: restored,
    stdout: entry.stdout,
    stderr: entry.stderr,
  };
  return { entry };
}

/**
 * Every blob the entry names is still in the store (pruning may have raced us), and stdout and
 * stderr still hash to their names: they go to the caller's streams as they are read, so a
 * tampered one must be a miss before any byte goes out (outputs are checked as they are copied).
 */
async function usable(store: CacheStore, entry: CacheEntry, spec: RunSpec): Promise<boolean> {
  if (entry.outputs.some((o) => !spec.mounts[o.mount]?.write)) return false;
  const blobs = [entry.stdout, entry.stderr, ...entry.outputs];
  if (!(await Promise.all(blobs.map((b) => store.hasBlob(b)))).every(Boolean)) return false;
  return (await Promise.all([store.blobIntact(entry.stdout), store.blobIntact(entry.stderr)])).every(Boolean);
}
