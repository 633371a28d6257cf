import type Docker from 'dockerode';
import { copyModeResolver } from './copy-mode/copy-resolver.js';
import { copyModeResolverFor } from './copy-mode/detect-resolver.js';
import { doodResolverFor } from './dood/detect-resolver.js';
import type { DockerEngine } from './engine/docker-engine.js';
import type { LocalMount } from './mount-spec.js';
import type { ResolvedMount } from './run-result.js';

/**
 * How a run's mounts reach the daemon: the mounts for `HostConfig.Mounts`, plus optional hooks
 * for topologies where nothing is shared (copy inputs in before start, outputs out after exit).
 */
export interface MountPlan {
  mounts: ResolvedMount[];
  /** Called after create, before start (e.g. `putArchive` of inputs). */
  beforeStart?(container: Docker.Container): Promise<void>;
  /**
   * Called after exit (e.g. `getArchive` of writable mounts); `keepOutputs` is false when the
   * run failed and the caller asked to keep local files as they were.
   */
  afterExit?(container: Docker.Container, keepOutputs: boolean): Promise<void>;
}

/**
 * Translates mounts in the caller's filesystem into what the daemon sees. The default passes
 * paths through (caller and daemon share a filesystem); the DooD resolver, which inspects our
 * own container, and copy mode plug in here.
 */
export interface PathResolver {
  plan(mounts: LocalMount[], engine: DockerEngine): Promise<MountPlan>;
  /** Set on the resolver that refuses mounts because our own container could not be verified. */
  readonly unverified?: boolean;
}

/**
 * Caller and daemon see the same paths (the SDK runs on the daemon's host).
 *
 * @example
 * ```ts
 * setPathResolver(sameHostResolver); // paths pass through unchanged
 * ```
 */
export const sameHostResolver: PathResolver = {
  async plan(mounts) {
    return {
      mounts: mounts.map((m) => ({
        target: m.target,
        source: { type: 'bind', path: m.path },
        readOnly: !m.write,
        localPath: m.path,
      })),
    };
  },
};

let override: PathResolver | undefined;

/**
 * The resolver `runTool` uses for `engine`: an override if set, else by topology — a verified
 * own container on that daemon (DooD), a daemon sharing no filesystem (copy mode), or the host.
 */
export async function pathResolverFor(engine: DockerEngine): Promise<PathResolver> {
  if (override) return override;
  if (process.env.TOOLDOCK_TRANSFER === 'copy') return copyModeResolver;
  const dood = await doodResolverFor(engine);
  if (dood && !dood.unverified) return dood;
  // A remote daemon explains an unverifiable container better than the DooD refusal does.
  return (await copyModeResolverFor(engine)) ?? dood ?? sameHostResolver;
}

/**
 * Force a resolver for every engine (tests, custom topologies); `undefined` restores detection.
 *
 * @example
 * ```ts
 * const previous = setPathResolver(sameHostResolver);
 * try { await runTool(image, ['ls', '/data'], ['/data']); } finally { setPathResolver(previous); }
 * ```
 */
export function setPathResolver(resolver: PathResolver | undefined): PathResolver | undefined {
  const previous = override;
  override = resolver;
  return previous;
}
