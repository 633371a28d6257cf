import type { Writable } from 'node:stream';
import type { LocalMount } from '../api/mount-spec.js';
import type { ParsedRunOptions } from '../api/options.js';
import type { EventListener } from '../lifecycle/events.js';
import type { ResolvedMount } from '../api/run-result.js';
import { TooldockError } from '../errors/tooldock-error.js';

/**
 * The seam behind `runTool`: what "something that runs a tool in a container" must provide for
 * one run. What else differs between runtimes (sessions, fan-outs, doctor, sweeps, …) is the
 * runtime's `EngineKind` (backends/engine-kind.ts), registered in backends/registry.ts.
 * The lifecycle (lifecycle/) drives it — bounds every step by the run's signal, wires I/O,
 * classifies the outcome, builds the result — so a backend only speaks its own runtime.
 * Docker is the first implementation (backends/docker/engine/docker-backend.ts). The seam was checked against:
 * - Slurm: prepare = check mounts are on the shared filesystem; launch = `srun`/`sbatch` whose
 *   step runs the node's `docker`/`podman run` (stdout/stderr are the step's); kill = `scancel`
 *   plus removal of the container on the node (scancel alone leaves it running).
 * - Warm sessions (sessions/session-backend.ts, sessions/exec-tool.ts): prepare = the session's
 *   container, mounts already in place; launch = an exec created, not started; start = exec start
 *   with a hijacked attach; kill = a second exec kills every process of the call's (setsid)
 *   session; remove = that kill, only for an exec the run gave up on while it may still run.
 * - Kubernetes Jobs (on paper): prepare = PVC + subPath mapping; launch = create the Job and
 *   follow its pod's logs; kill/remove = delete the Job (owner references reap its pods).
 */
export interface ToolBackend {
  /** Where runs go, for messages (`unix:///var/run/docker.sock`, `slurm:main`). */
  readonly endpoint: string;
  /** Resolves mounts and the tool's identity, and makes sure the image is there. */
  prepare(request: ToolRequest, step: StepContext): Promise<PreparedTool>;
  /**
   * A failure of this runtime in its own words, for the run's ToolError and warnings (Docker:
   * the daemon's message without HTTP noise; an unreachable daemon with its fix).
   */
  explainError(error: unknown): string;
}

/**
 * A path where copy mode kept the local version over the tool's (it changed here since it was
 * sent), with the words the run's `notes` carry.
 */
export interface KeptLocal {
  path: string;
  note: string;
}

/** A validated request, as the backend sees it. */
export interface ToolRequest {
  image: string;
  args: string[];
  mounts: LocalMount[];
  options: ParsedRunOptions;
}

/** Passed to every step: the run's signal (cancel or timeout) and its event listener. */
export interface StepContext {
  /** Aborts on cancel, timeout or an internal failure; a step must stop waiting when it does. */
  signal: AbortSignal;
  emit: EventListener;
  /** For a tool that may wait in a scheduler's queue: stop the `timeoutMs` clock until… */
  timeoutWaits?(): void;
  /** …it really starts: `timeoutMs` counts from now. */
  timeoutStartsNow?(): void;
}

/** A tool ready to be launched: everything decided, nothing running yet. */
export interface PreparedTool {
  /** Immutable id of what runs (image id or digest). */
  imageId: string;
  mounts: ResolvedMount[];
  /** `uid:gid`, or `"image"` for the image's own user. */
  user: string;
  /** Creates the tool with output attached and its exit awaited, not yet started. */
  launch(io: ToolIo, step: StepContext): Promise<LaunchedTool>;
}

/** Where a launched tool's output goes. */
export interface ToolIo {
  stdout: Writable;
  stderr: Writable;
  /** Whether the tool reads stdin (the backend then exposes `stdin`). */
  stdin: boolean;
}

/** A created tool process (container, job step, exec), attached but not started. */
export interface LaunchedTool {
  readonly id: string;
  /** The tool's stdin when asked for; ending it is EOF for the tool. */
  readonly stdin: Writable | undefined;
  /** Resolves once every output byte reached `io` and both streams were ended. */
  readonly outputEnded: Promise<void>;
  /** Settles with the exit code once the tool exited. */
  readonly exited: Promise<number>;
  /** Copies inputs when the runtime shares no files with us (copy mode); before start. */
  beforeStart(step: StepContext): Promise<void>;
  start(step: StepContext): Promise<void>;
  /** Kills the tool's whole process tree; a tool already gone is fine. */
  kill(signal: AbortSignal): Promise<void>;
  /** What the caller should know about this run's output (e.g. the runtime broke the attach), after exit. */
  notes?(): string[];
  /** After a kill: stop honouring backpressure, so a stalled reader cannot keep the tool alive. */
  dropOutput(): void;
  /** Why a failed tool ended, asked only for failures (an OOM kill is known after the exit). */
  exitFacts(exitCode: number, step: StepContext): Promise<{ oomKilled: boolean }>;
  /**
   * Brings writable outputs back (copy mode) when `keep`; after exit. Returns where a local
   * version was kept over the tool's (it changed here meanwhile), for the run's notes.
   */
  collectOutputs(keep: boolean, step: StepContext): Promise<KeptLocal[]>;
  /** Removes what launch made; bounded by `signal`, owed for later if the runtime is away. */
  remove(signal: AbortSignal): Promise<void>;
}

/**
 * The runtime refused to start the command: missing from the image (exit code 127, as a shell
 * says) or not executable (126). The lifecycle reports it as a failed run with that code.
 */
export class CommandNotRunnableError extends TooldockError {
  readonly code = 'ERR_TOOLDOCK_COMMAND_NOT_RUNNABLE';
  override readonly name = 'CommandNotRunnableError';
  constructor(
    readonly exitCode: 126 | 127,
    readonly why: string,
    readonly runtimeMessage: string,
  ) {
    super(runtimeMessage);
  }
}
