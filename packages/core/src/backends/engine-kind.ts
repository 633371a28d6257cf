import type { LocalMount } from '../api/mount-spec.js';
import type { ParsedRunOptions } from '../api/options.js';
import type { DoctorReport } from '../diagnose/doctor-report.js';
import type { OrphanReport } from '../shutdown/orphan-report.js';
import type { StepContext, ToolBackend, ToolRequest } from './tool-backend.js';

/**
 * Everything that differs between container runtimes, as capabilities of one object per runtime
 * (Docker/Podman daemons, Slurm clusters, …). The rest of tooldock never asks which runtime an
 * engine is: it asks the engine's kind (`kindOf(engine)` in backends/registry.ts) to do the thing.
 *
 * Adding a runtime is one folder (`backends/<name>/`: its engine class, its {@link ToolBackend},
 * and an `EngineKind` built from them) plus one line in backends/registry.ts. The lifecycle
 * (lifecycle/) then drives its runs; runTool, runMany, toolSession, doctor and cleanupOrphans
 * accept its engines. A capability a runtime lacks is said, with the reason, not left out:
 * the caller then gets an InvalidInputError (sessions) or the plain path (cache, fan-out).
 *
 * Checked against: a Docker daemon (every capability), a Slurm cluster (no sessions, no image
 * identity before the run, job arrays for fan-outs, a scheduler's queue before "running"), and a
 * daemonless HPC runtime such as Charliecloud or Apptainer (no daemon to explain, no labels to
 * sweep by: its sweep looks for its own process records; sessions unsupported or a long-lived
 * process; image identity from the unpacked image's digest).
 *
 * @example
 * ```ts
 * // backends/charliecloud/charliecloud-kind.ts
 * export const charliecloudKind: EngineKind<CharliecloudEngine> = {
 *   name: 'charliecloud',
 *   connectOption: 'charliecloud',
 *   connect: (options) => connectCharliecloud(options),
 *   owns: (value): value is CharliecloudEngine => value instanceof CharliecloudEngine,
 *   backend: (engine) => new CharliecloudBackend(engine),
 *   // …one function per capability below
 * };
 * ```
 */
export interface EngineKind<E extends AnyEngine = AnyEngine> {
  /** `docker`, `slurm`, …: for messages (`options.engine must be …`). */
  readonly name: string;
  /**
   * The key of `connect()`'s options that asks for this kind (`connect({ slurm: {…} })`), and
   * how it connects; absent for the default kind (Docker: `connect()`, `connect({ host })`).
   */
  readonly connectOption?: string;
  /**
   * When set, `connect()` picks this kind when `options[connectOption]` equals it and passes the
   * whole options object (`connect({ runtime: 'charliecloud', images })`); the kind validates it.
   */
  readonly connectValue?: string;
  connect(options: unknown): E;
  /** True for an engine of this kind (an `instanceof` or a brand check). */
  owns(value: unknown): value is E;

  /** The lifecycle's seam for runs on `engine` (the registry keeps one per engine). */
  backend(engine: E): ToolBackend;
  /**
   * Synchronous checks of a run's mounts and options at validation, before anything starts
   * (throws InvalidInputError naming the value): Docker refuses its own socket as a mount, Slurm
   * needs paths on the shared filesystem, a daemonless runtime refuses what it cannot enforce.
   */
  checkMounts(engine: E, mounts: readonly LocalMount[], options: ParsedRunOptions): void;
  /**
   * The immutable identity of `image` as runs on `engine` would use it, for the result cache's
   * key: `absent` when the image is not there yet (the run pulls it, the result says which id
   * ran); `unknowable` when this runtime cannot say before the run (the call is not cached).
   */
  identifyImage(engine: E, image: string, signal: AbortSignal): Promise<ImageIdentity>;
  /** Warm sessions (`toolSession`, `runMany({ reuse })`), or why this runtime has none. */
  readonly sessions: SessionCapability<E> | { unsupported: string };
  /**
   * A fan-out of `taskCount` tool runs, all on `engine`, as one unit (Slurm: job arrays submitted
   * up front, throttled by the scheduler); undefined: runMany starts at most `concurrency` runs
   * itself.
   */
  planFanOut?(engine: E, taskCount: number, concurrency: number): FanOutPlan | undefined;
  /** How many runs at once `runMany` starts by default (CPUs of the machine where tools run). */
  defaultConcurrency(engine: E): Promise<number>;
  /**
   * Whether `container:started` means the tool is running; false for a scheduler, whose jobs
   * wait in a queue until a `job:state` event says RUNNING.
   */
  readonly startedMeansRunning: boolean;
  /** `doctor()`: reachability, versions, how files reach tools, each problem with its fix. */
  doctor(engine: E, mounts: string[]): Promise<DoctorReport>;
  /** `cleanupOrphans()`: removes what dead tooldock processes left on `engine`. */
  sweep(engine: E): Promise<OrphanReport>;
}

/** What every engine has, whatever its kind. */
export interface AnyEngine {
  /** Where runs go, for messages (`unix:///var/run/docker.sock`, `slurm:main`). */
  readonly endpoint: string;
}

/** See {@link EngineKind.identifyImage}. */
export type ImageIdentity = { kind: 'id'; id: string } | { kind: 'absent' } | { kind: 'unknowable'; reason: string };

/** A warm session's container (or process), as `toolSession` drives it. */
export interface OpenedSession {
  readonly id: string;
  /** Why the session cannot take calls any more (closed, or its container died), if so. */
  readonly goneReason: string | undefined;
  /** Its mounts, as the result cache fingerprints them. */
  readonly mounts: LocalMount[];
  /** The seam every call in the session goes through (prepare checks it is alive, launch execs). */
  readonly backend: ToolBackend;
  /** Removes it and whatever calls left running; `reason` is what later calls are told. */
  close(signal: AbortSignal, reason?: string): Promise<void>;
}

/** See {@link EngineKind.sessions}. */
export interface SessionCapability<E> {
  /** Opens a session for `request` (its image, mounts and container settings). */
  open(engine: E, request: ToolRequest, step: StepContext): Promise<OpenedSession>;
}

/** See {@link EngineKind.planFanOut}. */
export interface FanOutPlan {
  /** Runs task `index` (its `task` starts the tool run) within the plan. */
  run<T>(index: number, task: () => Promise<T>): Promise<T>;
  /** Cancels whatever the plan submitted that has not ended. */
  cancel(): Promise<void>;
}
