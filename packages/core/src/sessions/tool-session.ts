import { InvalidInputError, parseOrThrow } from '../errors/invalid-input-error.js';
import type { OpenedSession } from '../backends/engine-kind.js';
import { kindOf } from '../backends/registry.js';
import { safeEmitter } from '../lifecycle/events.js';
import type { MountSpec } from '../api/mount-spec.js';
import type { RunOptions } from '../api/options.js';
import type { RunSpec } from '../lifecycle/run-container.js';
import { prepareRun, startRun } from '../api/run-tool.js';
import type { ToolRun } from '../api/tool-run.js';
import { CallOptionsSchema, SessionOptionsSchema, type CallOptions, type SessionOptions } from './session-options.js';

/**
 * Opens a warm session: one long-lived container of `image` with `mounts`, into which every
 * `run()` is an exec — the same {@link ToolRun} as `runTool`'s, at a fraction of a container
 * start. The container is set up as a tool container would be (mounts, user, hardening, no
 * network, labels the reaper knows) and needs a POSIX `sh` in the image. Close it with
 * `close()`, `await using`, or `idleTimeoutMs`. See docs/sessions.md for what calls share.
 *
 * @example
 * ```ts
 * await using sam = await toolSession('quay.io/biocontainers/samtools:1.22.1--h96c455f_0', ['/data']);
 * for (const region of ['chr1:1-1000', 'chr2:1-1000']) {
 *   const { stdout } = await sam.run(['samtools', 'view', '-c', '/data/x.bam', region]);
 *   console.log(region, stdout.trim());
 * }
 * ```
 */
export async function toolSession(image: string, mounts?: MountSpec[], options?: SessionOptions): Promise<ToolSession> {
  const { idleTimeoutMs } = parseOrThrow(SessionOptionsSchema, options ?? {}, 'options');
  // The caller's own values (not the parsed ones) are the defaults of every call.
  const { idleTimeoutMs: _idle, ...containerOptions } = options ?? {};
  // Validated as a run's (image, mounts, options, the engine's mount checks): one place for it.
  const spec = prepareRun(image, [], mounts, containerOptions);
  const sessions = kindOf(spec.engine).sessions;
  if ('unsupported' in sessions) throw new InvalidInputError('options.engine', spec.engine.endpoint, sessions.unsupported);
  const signal = spec.options.signal ?? new AbortController().signal;
  const opened = await sessions.open(
    spec.engine,
    { image, args: [], mounts: spec.mounts, options: spec.options },
    { signal, emit: safeEmitter(spec.options.onEvent) },
  );
  return new ToolSession(image, opened, containerOptions, idleTimeoutMs);
}

/**
 * A warm session: one long-lived container, each {@link ToolSession.run | run} an exec in it.
 * Open one with {@link toolSession}.
 *
 * @example
 * ```ts
 * const session = await toolSession('busybox', ['/data']);
 * try {
 *   const { stdout } = await session.run(['wc', '-l', '/data/samples.txt'], { timeoutMs: 10_000 });
 * } finally {
 *   await session.close();
 * }
 * ```
 */
export class ToolSession {
  private running = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed: Promise<void> | undefined;

  /** @internal Use {@link toolSession}. */
  constructor(
    readonly image: string,
    private readonly container: OpenedSession,
    private readonly defaults: RunOptions,
    private readonly idleTimeoutMs: number | undefined,
  ) {
    this.armIdleTimer();
  }

  /** The session container's id (every call's `containerId` is its exec's id). */
  get containerId(): string {
    return this.container.id;
  }

  /** Why the session cannot take calls any more (closed, or its container died), if so. */
  get closedReason(): string | undefined {
    return this.container.goneReason;
  }

  /**
   * Runs `args` in the session's container: same result, streams, errors, timeout and cancel as
   * `runTool`. Canceling or timing out kills every process the call started; the session stays usable.
   */
  run(args: string[], options?: CallOptions): ToolRun {
    parseOrThrow(CallOptionsSchema, options ?? {}, 'options');
    const env = { ...this.defaults.env, ...options?.env };
    const spec = prepareRun(this.image, args, [], { ...this.defaults, ...options, env });
    // The session's mounts, for the result cache to fingerprint (the exec itself ignores them).
    return this.start({ ...spec, mounts: this.container.mounts });
  }

  /** @internal A validated run (its mounts and container settings are the session's) as a call. */
  start(spec: RunSpec): ToolRun {
    spec = { ...spec, backend: this.container.backend };
    this.callStarted();
    const run = startRun(spec);
    run.then(
      () => this.callEnded(),
      () => this.callEnded(),
    );
    return run;
  }

  /** Removes the container, and with it anything calls left running. Idempotent. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      if (this.idleTimer) clearTimeout(this.idleTimer);
      await this.container.close(AbortSignal.timeout(30_000));
    })();
    return this.closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private callStarted(): void {
    this.running++;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private callEnded(): void {
    this.running--;
    this.armIdleTimer();
  }

  private armIdleTimer(): void {
    if (this.idleTimeoutMs === undefined || this.running > 0 || this.closed) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.closed ??= this.container.close(
        AbortSignal.timeout(30_000),
        `the session was closed after ${this.idleTimeoutMs} ms without a call (idleTimeoutMs)`,
      );
      this.closed.catch(() => {});
    }, this.idleTimeoutMs);
    // An idle session must not keep the process alive; the reaper removes its container on exit.
    this.idleTimer.unref();
  }
}
