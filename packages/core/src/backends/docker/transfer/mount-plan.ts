import type { KeptLocal } from '../../tool-backend.js';
import type Docker from 'dockerode';
import type { DockerEngine } from '../engine/docker-engine.js';
import type { LocalMount } from '../../../api/mount-spec.js';
import type { ResolvedMount } from '../../../api/run-result.js';

export type { KeptLocal };

/** How a run's files reach its tool: see transfer-decision.ts for when each applies. */
export type TransferMode = 'bind' | 'dood' | 'copy' | 'refused';

/**
 * How a run's mounts reach the daemon: the mounts for `HostConfig.Mounts`, plus optional hooks
 * for topologies where nothing is shared (copy inputs in before start, outputs out after exit).
 * Both hooks get the run's signal (cancel or timeout). The run stops waiting for them when it
 * fires and settles; `afterExit` must then move no output into place.
 */
export interface MountPlan {
  mounts: ResolvedMount[];
  /** Called after create, before start (e.g. `putArchive` of inputs). */
  beforeStart?(container: Docker.Container, signal: AbortSignal): Promise<void>;
  /**
   * Called after exit (e.g. `getArchive` of writable mounts); `keepOutputs` is false when the
   * run failed and the caller asked to keep local files as they were. Returns the paths where the
   * local version was kept over the tool's.
   */
  afterExit?(container: Docker.Container, keepOutputs: boolean, signal: AbortSignal): Promise<KeptLocal[]>;
}

/**
 * Translates mounts in the caller's filesystem into what the daemon sees. The default passes
 * paths through (caller and daemon share a filesystem); the DooD resolver, which inspects our
 * own container, and copy mode plug in here.
 */
export interface PathResolver {
  plan(mounts: LocalMount[], engine: DockerEngine): Promise<MountPlan>;
  /**
   * How this resolver brings files to tools, as `doctor()` reports it when the resolver was set
   * with `setPathResolver` (a resolver that does not say is taken to bind-mount).
   */
  readonly transfer?: Exclude<TransferMode, 'refused'>;
}
