import { createHash } from 'node:crypto';
import type { DockerEngine } from '../backends/docker/engine/docker-engine.js';
import type { PullProgress } from '../backends/docker/engine/image-client.js';
import type { EventListener } from '../lifecycle/events.js';
import { bounded } from '../lifecycle/bounded.js';
import { findCredentials } from './find-credentials.js';
import { PullAggregator, type PullSummary } from './pull-progress.js';
import { pullFailure } from './pull-error.js';
import type { RegistryAuth } from './registry-auth.js';
import { registryOf } from './registry-host.js';

/** Image-level progress events at most this often per pull (a layer finishing is always told). */
const SUMMARY_INTERVAL_MS = 100;

/** One pull on the daemon, shared by every run that needs the same image at the same time. */
class SharedPull {
  readonly controller = new AbortController();
  readonly listeners = new Set<EventListener>();
  private readonly aggregator = new PullAggregator();
  private last: PullSummary | undefined;
  private lastSummaryAt = 0;
  settled = false;
  readonly done: Promise<void>;

  constructor(
    engine: DockerEngine,
    readonly image: string,
    auth: RegistryAuth | undefined,
    onlyIfMissing: boolean,
  ) {
    this.done = this.run(engine, auth, onlyIfMissing).finally(() => (this.settled = true));
  }

  /** A new waiter hears the raw lines from now on, and the latest summary at once. */
  join(listener: EventListener): void {
    this.listeners.add(listener);
    if (this.last) listener({ type: 'image:pull-progress', image: this.image, ...this.last });
  }

  private async run(engine: DockerEngine, auth: RegistryAuth | undefined, onlyIfMissing: boolean): Promise<void> {
    const { signal } = this.controller;
    // A run that found the image missing just before another run's pull of it ended: done already.
    if (onlyIfMissing && (await bounded(engine.images.inspect(this.image), signal, `looking for image ${this.image}`))) return;
    const registry = registryOf(this.image);
    const credentials = await findCredentials(registry, auth, signal);
    try {
      await engine.images.pull(this.image, { signal, authconfig: credentials.authconfig, onProgress: (p) => this.progress(p) });
    } catch (error) {
      if (signal.aborted) throw error;
      throw pullFailure(this.image, registry, credentials, error);
    }
    this.summarise(true);
  }

  private progress(progress: PullProgress): void {
    this.broadcast({ type: 'image:pull', image: this.image, ...progress });
    this.aggregator.add(progress);
    this.summarise(false);
  }

  private summarise(final: boolean): void {
    const summary = this.aggregator.summary();
    const now = Date.now();
    const layerFinished = summary.layersDone !== this.last?.layersDone;
    if (!final && !layerFinished && now - this.lastSummaryAt < SUMMARY_INTERVAL_MS) return;
    this.last = summary;
    this.lastSummaryAt = now;
    this.broadcast({ type: 'image:pull-progress', image: this.image, ...summary });
  }

  private broadcast(event: Parameters<EventListener>[0]): void {
    for (const listener of this.listeners) {
      // Runs wrap their listeners (safeEmitter); this guard keeps any other one from breaking the
      // daemon's stream for every waiter.
      try {
        listener(event);
      } catch (error) {
        process.emitWarning(`tooldock: a pull progress listener threw: ${String(error)}`);
      }
    }
  }
}

const inFlight = new Map<string, SharedPull>();

interface PullOnceOptions {
  auth?: RegistryAuth | undefined;
  /** `"missing"`: the caller found the image absent; `"always"`: pull even if present. */
  policy: 'missing' | 'always';
  emit: EventListener;
  signal: AbortSignal;
}

/**
 * Pulls `image` once however many runs ask for it at the same time: later callers wait for the
 * pull already under way (per engine, image and explicit credentials). Each caller is bounded
 * by its own `signal`; one giving up does not fail the others, and the pull itself is aborted
 * only when every caller gave up.
 */
export async function pullOnce(engine: DockerEngine, image: string, options: PullOnceOptions): Promise<void> {
  // "always" never joins a "missing" pull: that one may end without pulling (image present).
  const key = `${engine.endpoint}\n${image}\n${options.policy}\n${credentialsKey(options.auth)}`;
  let pull = inFlight.get(key);
  if (!pull) {
    const started = new SharedPull(engine, image, options.auth, options.policy === 'missing');
    started.done.then(
      () => forget(key, started),
      () => forget(key, started),
    );
    inFlight.set(key, (pull = started));
  }
  const listener: EventListener = (event) => options.emit(event); // one per caller, even with a shared emit
  pull.join(listener);
  try {
    await bounded(pull.done, options.signal, `pulling ${image}`);
  } finally {
    pull.listeners.delete(listener);
    if (pull.listeners.size === 0 && !pull.settled) {
      forget(key, pull); // a later caller starts afresh rather than joining an aborted pull
      pull.controller.abort(new Error(`every run waiting for ${image} gave up`));
    }
  }
}

function forget(key: string, pull: SharedPull): void {
  if (inFlight.get(key) === pull) inFlight.delete(key);
}

/** Runs with different explicit credentials do not share a pull (one's wrong password must not fail the other). */
function credentialsKey(auth: RegistryAuth | undefined): string {
  if (!auth) return 'config';
  return createHash('sha256')
    .update(JSON.stringify(Object.entries(auth)))
    .digest('hex');
}

/** How many pulls are under way (for tests and diagnostics). */
export function pullsInFlight(): number {
  return inFlight.size;
}
