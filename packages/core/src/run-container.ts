import { createReadStream } from 'node:fs';
import { Readable, type Duplex, type PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { attachOutput, attachWithStdin } from './attach.js';
import { toolUser, userMapping } from './caller-user.js';
import { containerConfig, toolName } from './container-config.js';
import { DockerDemuxer } from './demux.js';
import type { DockerEngine } from './engine/docker-engine.js';
import { EngineUnreachableError } from './engine/engine-unreachable-error.js';
import { daemonMessage, ensureImage } from './ensure-image.js';
import { safeEmitter } from './events.js';
import { signalOfExitCode } from './exit-signal.js';
import { liveContainers, removeContainer, settleOwedRemovals } from './live-containers.js';
import { ensureReaper } from './shutdown/reaper.js';
import { ensureSignalHandlers } from './shutdown/signal-handlers.js';
import type { LocalMount } from './mount-spec.js';
import { memoryToBytes, type ParsedRunOptions } from './options.js';
import { createSink, TailKeeper, type SinkHandle } from './output-sink.js';
import { pathResolverFor, type MountPlan } from './path-resolver.js';
import type { RunResult } from './run-result.js';
import { formatCommand, tailOf, ToolError, type ToolErrorDetails } from './tool-error.js';
import { registerWait } from './wait-exit.js';

/** A validated request to run one tool. */
export interface RunSpec {
  image: string;
  args: string[];
  mounts: LocalMount[];
  options: ParsedRunOptions;
  engine: DockerEngine;
}

/** The caller-facing ends of a run (owned by {@link ToolRun}). */
export interface RunChannels {
  stdout: PassThrough;
  stderr: PassThrough;
  /** Aborted by `cancel()` or the caller's signal. */
  abort: AbortSignal;
  onContainerId(id: string): void;
}

type KillReason = 'timeout' | 'cancel';

/**
 * The container lifecycle: resolve mounts → inspect/pull → create → attach and register the
 * wait (both before start) → start → stream → exit + end of output → inspect (OOM) → remove.
 * Removal happens in `finally`, whatever went wrong.
 */
export async function runContainer(spec: RunSpec, ch: RunChannels): Promise<RunResult> {
  const { engine, image, args, options } = spec;
  const emit = safeEmitter(options.onEvent);
  const command = formatCommand(args);
  const user = toolUser(options.user, options.user === 'auto' ? await userMapping(engine).catch(() => 'plain' as const) : 'plain');
  const stdoutSink = createSink(options.stdout, 'stdout', options.maxBuffer);
  const stderrSink = createSink(options.stderr, 'stderr', options.maxBuffer);
  const stderrTail = new TailKeeper();
  ch.stdout.pipe(stdoutSink.writable);
  ch.stderr.pipe(stderrSink.writable);
  ch.stderr.pipe(stderrTail);

  const details: ToolErrorDetails = { image, args, command, user: user.user ?? 'image', mounts: [] };
  let killReason: KillReason | undefined;
  let container: Docker.Container | undefined;
  let stopOutput: (() => void) | undefined;

  const fail = (shortMessage: string, extra: Partial<ToolErrorDetails> = {}) =>
    new ToolError(shortMessage, { ...details, ...extra, stderrTail: tailOf(stderrTail.text()) });

  try {
    if (ch.abort.aborted) throw fail(`Command was canceled before it started: ${toolName(image, args)}`, { canceled: true });
    let plan: MountPlan;
    try {
      plan = await (await pathResolverFor(engine)).plan(spec.mounts, engine);
      const mounts = plan.mounts;
      details.mounts = mounts;
      details.imageId = await ensureImage(engine, image, options.pull, emit);
    } catch (error) {
      throw wrapDaemonError(error, `Could not prepare ${toolName(image, args)}`, fail);
    }
    if (ch.abort.aborted) throw fail(`Command was canceled before it started: ${toolName(image, args)}`, { canceled: true });

    // Before the first container exists: whatever ends this process, its containers go too.
    ensureSignalHandlers();
    await ensureReaper(engine);
    settleOwedRemovals(engine); // the daemon answered: clean up after an earlier outage
    try {
      container = await engine.call(() => engine.docker.createContainer(containerConfig({ image, args, mounts: plan.mounts, user, options })));
    } catch (error) {
      throw wrapDaemonError(error, `Could not create a container for ${toolName(image, args)}`, fail);
    }
    const containerId = container.id;
    liveContainers.set(containerId, engine);
    details.containerId = containerId;
    ch.onContainerId(containerId);
    emit({ type: 'container:created', containerId });

    // Attach and register the wait before start: attaching later loses the first bytes,
    // waiting later can miss a fast exit.
    let attached: Duplex | Readable;
    let exited: Promise<{ StatusCode: number; Error?: { Message?: string } | null }>;
    try {
      // Both must be in place before start; they are independent, so ask for both at once.
      const [attachment, wait] = await Promise.allSettled([
        options.stdin !== undefined ? attachWithStdin(engine.docker, containerId) : attachOutput(container),
        registerWait(engine.docker, containerId),
      ]);
      if (attachment.status === 'rejected') {
        if (wait.status === 'fulfilled') wait.value.exited.catch(() => {});
        throw attachment.reason;
      }
      attached = attachment.value;
      if (wait.status === 'rejected') {
        attached.destroy();
        throw wait.reason;
      }
      ({ exited } = wait.value);
    } catch (error) {
      throw wrapDaemonError(engine.explain(error), `Could not attach to ${toolName(image, args)}`, fail);
    }
    exited.catch(() => {});
    const output = pumpOutput(attached, ch);
    stopOutput = output.stop;
    const outputEnded = output.ended;
    if (options.stdin !== undefined) feedStdin(options.stdin, attached as Duplex);

    if (ch.abort.aborted) throw fail(`Command was canceled before it started: ${toolName(image, args)}`, { canceled: true });
    try {
      await plan.beforeStart?.(container);
    } catch (error) {
      throw wrapDaemonError(error, `Could not copy inputs for ${toolName(image, args)}`, fail);
    }
    try {
      await engine.call(() => container!.start());
    } catch (error) {
      throw wrapDaemonError(error, `Could not start ${toolName(image, args)}`, fail);
    }
    const startedAt = new Date();
    details.startedAt = startedAt;
    emit({ type: 'container:started', containerId, startedAt });

    const stopWatching = watchForKill(container, ch.abort, options.timeoutMs, (reason) => (killReason ??= reason));
    let status;
    try {
      status = await exited;
      await outputEnded;
    } catch (error) {
      throw wrapDaemonError(engine.explain(error), `Lost track of ${toolName(image, args)}`, fail);
    } finally {
      stopWatching();
    }
    const finishedAt = new Date();
    const durationMs = finishedAt.getTime() - startedAt.getTime();
    emit({ type: 'container:exited', containerId, exitCode: status.StatusCode, durationMs });
    // Only a failure needs the container's state (OOMKilled); a success saves the call.
    const state = status.StatusCode === 0 ? undefined : await exitState(container, status.StatusCode, options);

    await Promise.all([stdoutSink.done, stderrSink.done]);
    const exitCode = status.StatusCode;
    const signal = signalOfExitCode(exitCode);
    const oomKilled = state?.OOMKilled === true;
    const outcome = {
      exitCode,
      failed: exitCode !== 0 || killReason !== undefined,
      oomKilled,
      killed: killReason !== undefined || signal === 'SIGKILL',
      timedOut: killReason === 'timeout',
      canceled: killReason === 'cancel',
      signal,
    };
    Object.assign(details, outcome, {
      durationMs, finishedAt,
      stdout: decode(stdoutSink.captured(), options.encoding),
      stderr: decode(stderrSink.captured(), options.encoding),
      notes: [stdoutSink.note(), stderrSink.note()].filter((n): n is string => !!n),
    });
    try {
      const keepOutputs = options.copyOutputs === 'always' || (options.copyOutputs === 'on-success' && !outcome.failed);
      await plan.afterExit?.(container, keepOutputs);
    } catch (error) {
      throw wrapDaemonError(error, `Could not copy outputs of ${toolName(image, args)}`, fail);
    }
    if (outcome.failed && options.reject) {
      throw fail(failureMessage(image, args, exitCode, signal, oomKilled, killReason, options), outcome);
    }
    await commitSinks([stdoutSink, stderrSink], !outcome.failed);
    return {
      image, imageId: details.imageId!, args, command, containerId, ...outcome,
      stdout: details.stdout, stderr: details.stderr, durationMs, startedAt, finishedAt,
      mounts: details.mounts!, user: details.user!, notes: details.notes!,
    };
  } catch (error) {
    stopOutput?.();
    await finishSinks(ch, [stdoutSink, stderrSink]);
    throw error;
  } finally {
    if (container) {
      await removeContainer(engine, container.id).then(
        () => emit({ type: 'container:removed', containerId: container!.id }),
        (error) => process.emitWarning(`tooldock: could not remove container ${container!.id}: ${daemonMessage(error)}`),
      );
    }
  }
}

/** Demuxes the attach stream into the run's stdout/stderr; `ended` resolves when both ended. */
function pumpOutput(attached: Readable | Duplex, ch: RunChannels): { ended: Promise<void>; stop(): void } {
  const demuxer = new DockerDemuxer(ch.stdout, ch.stderr);
  attached.pipe(demuxer);
  const ended = new Promise<void>((resolve, reject) => {
    demuxer.once('finish', resolve);
    attached.once('error', (error) => {
      demuxer.destroy(error);
      reject(error);
    });
  });
  ended.catch(() => {});
  return {
    ended,
    // On failure: stop feeding the run's streams before they are ended.
    stop() {
      attached.unpipe(demuxer);
      attached.destroy();
      demuxer.destroy();
    },
  };
}

/** Streams stdin into the hijacked connection, then half-closes it so the tool sees EOF. */
function feedStdin(source: NonNullable<ParsedRunOptions['stdin']>, socket: Duplex): void {
  const input = typeof source === 'string' || source instanceof Uint8Array
    ? Readable.from([Buffer.from(source)])
    : source instanceof Readable ? source : createReadStream((source as { file: string }).file);
  // A tool may exit without reading all its input: that is not our error (EPIPE).
  socket.on('error', () => {});
  input.on('error', (error: Error) => socket.destroy(error));
  input.pipe(socket);
}

function watchForKill(container: Docker.Container, abort: AbortSignal, timeoutMs: number | undefined, onKill: (reason: KillReason) => void): () => void {
  const kill = (reason: KillReason) => {
    onKill(reason);
    container.kill().catch(() => {}); // already exited: fine
  };
  const onAbort = () => kill('cancel');
  abort.addEventListener('abort', onAbort, { once: true });
  if (abort.aborted) onAbort();
  const timer = timeoutMs ? setTimeout(() => kill('timeout'), timeoutMs) : undefined;
  return () => {
    abort.removeEventListener('abort', onAbort);
    if (timer) clearTimeout(timer);
  };
}

/**
 * The container's final state. The daemon learns of an OOM kill from a separate event that can
 * arrive after the exit, so a SIGKILL under a memory limit is re-read briefly before we call it
 * a plain kill.
 */
async function exitState(container: Docker.Container, exitCode: number, options: ParsedRunOptions) {
  const read = () => container.inspect().then((i) => i.State, () => undefined);
  let state = await read();
  for (let retry = 0; retry < 10 && exitCode === 137 && options.memory !== undefined && state && !state.OOMKilled; retry++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    state = await read();
  }
  return state;
}

async function commitSinks(sinks: SinkHandle[], success: boolean): Promise<void> {
  await Promise.all(sinks.map((s) => s.commit(success)));
}

/** On failure: end whatever is still open so nothing waits forever, and drop partial files. */
async function finishSinks(ch: RunChannels, sinks: SinkHandle[]): Promise<void> {
  for (const stream of [ch.stdout, ch.stderr]) if (!stream.writableEnded) stream.end();
  for (const sink of sinks) if (!sink.writable.writableEnded) sink.writable.end();
  await commitSinks(sinks, false);
}

function decode(data: Buffer | undefined, encoding: 'utf8' | 'buffer'): string | Buffer | undefined {
  if (data === undefined) return undefined;
  return encoding === 'buffer' ? data : data.toString('utf8');
}

function failureMessage(image: string, args: string[], exitCode: number, signal: string | undefined, oomKilled: boolean, killReason: KillReason | undefined, options: ParsedRunOptions): string {
  const tool = toolName(image, args);
  if (killReason === 'timeout') return `Command timed out after ${options.timeoutMs} ms and was killed: ${tool}`;
  if (killReason === 'cancel') return `Command was canceled: ${tool}`;
  if (oomKilled) {
    const limit = options.memory !== undefined ? ` (memory limit ${formatBytes(memoryToBytes(options.memory))})` : '';
    return `Command ran out of memory${limit} and was killed (exit code ${exitCode}): ${tool}`;
  }
  if (signal === 'SIGKILL' && options.memory !== undefined) {
    // The daemon misses some OOM events; under a memory limit, SIGKILL is most likely that.
    return `Command was killed with SIGKILL (exit code ${exitCode}), probably by the OOM killer ` +
      `(memory limit ${formatBytes(memoryToBytes(options.memory))}), though the daemon did not report an OOM kill: ${tool}`;
  }
  if (signal) return `Command was killed with ${signal} (exit code ${exitCode}): ${tool}`;
  return `Command failed with exit code ${exitCode}: ${tool}`;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

function wrapDaemonError(error: unknown, what: string, fail: (m: string, extra?: Partial<ToolErrorDetails>) => ToolError): ToolError {
  if (error instanceof ToolError) return error;
  const reason = error instanceof EngineUnreachableError ? error.message : daemonMessage(error);
  return fail(`${what}: ${reason}`, { cause: error });
}
