import { toolName } from '../lifecycle/tool-name.js';
import { pinnedIdentity } from '../api/image-reference.js';
import { kindOf } from '../backends/registry.js';
import type { ImageIdentity } from '../backends/engine-kind.js';
import { cacheSettingsOf } from '../cache/cache-settings.js';
import { CacheStore } from '../cache/cache-store.js';
import { callKey } from '../cache/call-key.js';
import { readCallInputs, uncacheableReason, type CallInputs } from '../cache/call-inputs.js';
import { lockKey } from '../cache/cache-lock.js';
import { OutputTap } from '../cache/output-tap.js';
import { registerPipedSource, type PipedSource } from '../cache/piped-source.js';
import { readyHit, type HitCall, type ReadyHit } from '../cache/ready-hit.js';
import { replayResult } from '../cache/replay-output.js';
import { storeRun } from '../cache/store-run.js';
import { writableState, type MountState } from '../cache/writable-state.js';
import { startWriting, stopWriting, type Writer } from '../cache/concurrent-writers.js';
import { bounded, longTimeout, RunAborted } from '../lifecycle/bounded.js';
import { releaseStdin } from '../lifecycle/held-stdin.js';
import { ensureOwnDirectory } from '../util/own-directory.js';
import { abortMessage, buildError } from '../lifecycle/outcome.js';
import type { RunChannels, RunSpec } from '../lifecycle/run-context.js';
import { formatCommand } from '../errors/tool-error.js';
import type { RunResult } from '../api/run-result.js';
import type { RunLayer, RunStep } from './run-layer.js';
import type { RunTrace } from './run-trace.js';

/**
 * The result cache (docs/cache.md), innermost: right around the container lifecycle. A call with
 * `cache` on is keyed by what decides its result (cache/call-key.ts); a stored, still valid
 * result is served without any container (outputs restored, output replayed); otherwise the
 * tool runs — once, under a lock per key — and a successful run is stored.
 */
export const cacheLayer: RunLayer = (next) => (spec, channels, trace) => {
  // First, synchronously: a consumer may be handed this run's stdout as soon as it starts.
  const source = registerPipedSource(channels.stdout);
  return cacheOrRun(next, spec, channels, trace, source).then(
    (result) => {
      source.settleOutcome(!result.failed);
      return result;
    },
    (error: unknown) => {
      source.settleOutcome(false);
      throw error;
    },
  );
};

async function cacheOrRun(next: RunStep, spec: RunSpec, channels: RunChannels, trace: RunTrace, source: PipedSource): Promise<RunResult> {
  const settings = cacheSettingsOf(spec.options);
  const reason = settings && uncacheableReason(spec);
  if (!settings || reason) {
    source.settleKey(undefined);
    if (settings) trace.cache = { key: '', hit: false, inputMode: settings.inputs, inputs: [], outputs: [], uncacheable: reason };
    return next(spec, channels, trace);
  }
  const { signal, dispose } = waitSignal(spec, channels);
  try {
    return await cachedCall(next, { spec, channels, trace, settings, store: new CacheStore(settings.dir), signal, source });
  } catch (error) {
    throw error instanceof RunAborted ? abortedError(spec, channels, error) : error;
  } finally {
    dispose();
  }
}

/**
 * The cache's directory, made (0700, bounded by the call's signal) before anything else: one
 * that cannot exist (`/proc/x`, a file's path) is the caller's setting to fix — the run fails
 * with a ToolError saying so, at once, instead of running without the cache it asked for.
 */
async function cacheDirectory({ spec, settings, signal }: Call): Promise<void> {
  const failure = await ensureOwnDirectory(settings.dir, signal).then(
    () => undefined,
    (error: unknown) => {
      if (signal.aborted) throw new RunAborted('creating the cache directory');
      return error as Error;
    },
  );
  if (!failure) return;
  const facts = { image: spec.image, args: spec.args, command: formatCommand(spec.args) };
  throw buildError(
    `Could not use the result cache for ${toolName(spec.image, spec.args)}: ${failure.message}; ` +
      'choose another directory (options.cache, configure({ cache }), TOOLDOCK_CACHE or TOOLDOCK_HOME)',
    facts,
    { cause: failure },
  );
}

/** A call through the cache: what a hit needs, and always this call's stdout as a source. */
type Call = HitCall & { source: PipedSource };

async function cachedCall(next: RunStep, call: Call): Promise<RunResult> {
  const { spec, settings, signal } = call;
  await cacheDirectory(call);
  const identified = await identify(call);
  // A Slurm node resolves the image tag itself: there is no image id to key on here (docs/clusters.md).
  if (identified.kind === 'unknowable') return runUncached(next, call, identified.reason);
  const inputs = await guarded(() => bounded(readCallInputs(spec, settings.inputs, signal, settings.dir), signal, 'fingerprinting its inputs'));
  if (inputs instanceof Degraded) return runUncached(next, call, inputs.reason);
  if (inputs.uncacheable) return runUncached(next, call, inputs.uncacheable);
  if (identified.kind === 'id') {
    const early = await guarded(() => readyHit(call, keyOf(call, identified.id, inputs), inputs));
    if (early instanceof Degraded) return runUncached(next, call, early.reason);
    if (early) return replayHit(call, early);
  }
  // Locked by the image *reference*, not its id: a call that could not tell the id (the image not
  // pulled yet, the daemon not answering for a moment) still waits for an identical one in progress.
  const release = await guarded(() => lockKey(settings.dir, callKey(spec, `reference:${spec.image}`, inputs.files, inputs.stdinSha256), signal));
  if (release instanceof Degraded) return runUncached(next, call, release.reason);
  try {
    // The holder before us may have pulled the image: ask again.
    const id = identified.kind === 'id' ? identified.id : await identify(call).then((again) => (again.kind === 'id' ? again.id : undefined));
    if (id === undefined) {
      call.source.settleKey(undefined);
      return await runAndStore(next, call, inputs); // not on the daemon yet: the run pulls it, and is stored by the id it ran
    }
    const late = await guarded(() => readyHit(call, keyOf(call, id, inputs), inputs));
    if (late instanceof Degraded) return await runUncached(next, call, late.reason);
    return late ? await replayHit(call, late) : await runAndStore(next, call, inputs);
  } finally {
    await release();
  }
}

/** The image's id on the engine; an engine that cannot be asked is for the run itself to report, in its words. */
function identify({ spec, signal }: Call): Promise<ImageIdentity> {
  return kindOf(spec.engine)
    .identifyImage(spec.engine, spec.image, signal)
    .catch((error: unknown) => {
      if (error instanceof RunAborted) throw error;
      return { kind: 'absent' } as const;
    });
}

/** The call's key by the image id, told to a call reading this one's stdout as soon as it is known. */
function keyOf(call: Call, imageId: string, inputs: CallInputs): string {
  const key = callKey(call.spec, imageId, inputs.files, inputs.stdinSha256);
  call.source.settleKey(key);
  return key;
}

/** Runs the tool, teeing its output; a successful run is stored under its key. */
async function runAndStore(next: RunStep, call: Call, inputs: CallInputs): Promise<RunResult> {
  call.source.settleServed(undefined); // this call runs: its stdout is live, not stored
  const before = await guarded(async () => {
    const spec = await stdinFromStore(call.spec, inputs, call.signal);
    const writable = await bounded(writableState(spec), call.signal, 'looking at its writable mounts');
    return { spec, writable, tap: await OutputTap.open(call.store, call.channels) };
  });
  if (before instanceof Degraded) return runUncached(next, call, before.reason);
  const { spec, writable, tap } = before;
  const writer = startWriting(
    writable.map((w) => w.base),
    spec.args,
  );
  try {
    return await runThenStore(next, call, { spec, inputs, writable, tap, writer });
  } finally {
    stopWriting(writer);
  }
}

interface Prepared {
  spec: RunSpec;
  inputs: CallInputs;
  writable: MountState[];
  tap: OutputTap;
  writer: Writer;
}

async function runThenStore(next: RunStep, call: Call, { spec, inputs, writable, tap, writer }: Prepared): Promise<RunResult> {
  const { channels, trace, settings, store } = call;
  let result: RunResult;
  try {
    result = await next(spec, channels, trace);
  } catch (error) {
    await tap.discard();
    throw error;
  }
  const key = keyOfRan(spec, result, inputs);
  const traced = { key, hit: false, inputMode: settings.inputs, inputs: inputs.fingerprints, outputs: [] };
  const refused = result.failed
    ? 'the run failed: only successful runs are stored'
    : inputs.producer && !(await bounded(inputs.producer.succeeded, call.signal, 'waiting for the run that fed its stdin'))
      ? 'the run feeding its stdin failed'
      : undefined;
  if (refused) {
    await tap.discard();
    trace.cache = { ...traced, uncacheable: refused };
    return result;
  }
  try {
    const streams = await tap.commit();
    const stored = await storeRun(store, settings, spec, { key, inputs, writable, writer }, result, streams);
    trace.cache =
      'notStored' in stored
        ? { ...traced, uncacheable: stored.notStored }
        : { ...traced, inputs: [...traced.inputs, ...stored.kept], outputs: stored.outputs, stdout: streams[0], stderr: streams[1] };
  } catch (error) {
    // The run succeeded; a cache that cannot take its result must not turn it into a failure.
    trace.cache = { ...traced, uncacheable: `could not store the result: ${(error as Error).message}` };
    process.emitWarning(
      `tooldock: could not store the result of ${toolName(spec.image, spec.args)} in the cache ${settings.dir}: ${(error as Error).message}`,
    );
  }
  return result;
}

/** A hit's output replayed; once bytes reached the caller's streams, a failure is this call's error. */
async function replayHit(call: Call, hit: ReadyHit): Promise<RunResult> {
  try {
    return await replayResult(call.store, hit.entry, call.spec, call.channels, call.signal);
  } catch (error) {
    if (error instanceof RunAborted) throw error;
    const { spec } = call;
    const facts = { image: spec.image, args: spec.args, command: formatCommand(spec.args) };
    throw buildError(`Could not replay the cached output of ${toolName(spec.image, spec.args)}: ${(error as Error).message}`, facts, {
      cause: error,
    });
  }
}

/** The call without the cache (say why, and warn when the cache itself failed). */
function runUncached(next: RunStep, call: Call, reason: string): Promise<RunResult> {
  call.source.settleKey(undefined);
  call.source.settleServed(undefined);
  call.trace.cache = { key: '', hit: false, inputMode: call.settings.inputs, inputs: [], outputs: [], uncacheable: reason };
  return next(call.spec, call.channels, call.trace);
}

/** A cache step that failed for a reason of its own (an unreadable input, a full disk): run without it. */
class Degraded {
  constructor(readonly reason: string) {}
}

async function guarded<T>(step: () => Promise<T>): Promise<T | Degraded> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof RunAborted) throw error;
    const reason = `the cache could not be used: ${(error as Error)?.message ?? String(error)}`;
    process.emitWarning(`tooldock: ${reason}`);
    return new Degraded(reason);
  }
}

/**
 * A call fed by a cached call's stdout that was served from the cache reads the stored bytes
 * directly, and lets go of the live stream (held for it since the call: the producer's replay
 * must not wait for a reader that will never come).
 */
async function stdinFromStore(spec: RunSpec, inputs: CallInputs, signal: AbortSignal): Promise<RunSpec> {
  if (!inputs.producer) return spec;
  const stored = await bounded(inputs.producer.served, signal, 'waiting for the run that feeds its stdin');
  if (!stored) return spec;
  releaseStdin(spec.options.stdin);
  return { ...spec, options: { ...spec.options, stdin: { file: stored } } };
}

/** The key under which what actually ran is stored: by the image id the run reports (a tag may have moved). */
function keyOfRan(spec: RunSpec, result: RunResult, inputs: CallInputs): string {
  return callKey(spec, pinnedIdentity(spec.image) ?? result.imageId, inputs.files, inputs.stdinSha256);
}

/** Cancel, or the call's timeout (counted from here), ends whatever the cache waits on. */
function waitSignal(spec: RunSpec, channels: RunChannels): { signal: AbortSignal; dispose: () => void } {
  const { timeoutMs } = spec.options;
  if (timeoutMs === undefined) return { signal: channels.abort, dispose: () => {} };
  const timeout = new AbortController();
  const dispose = longTimeout(timeoutMs, () => timeout.abort(new Error('timeout')));
  return { signal: AbortSignal.any([channels.abort, timeout.signal]), dispose };
}

function abortedError(spec: RunSpec, channels: RunChannels, aborted: RunAborted): Error {
  const tool = toolName(spec.image, spec.args);
  const reason = channels.abort.aborted ? 'cancel' : 'timeout';
  const limits = { timeoutMs: spec.options.timeoutMs, memory: spec.options.memory };
  const facts = { image: spec.image, args: spec.args, command: formatCommand(spec.args) };
  return buildError(abortMessage(tool, reason, false, aborted.during, limits), facts, reason === 'cancel' ? { canceled: true } : { timedOut: true });
}
