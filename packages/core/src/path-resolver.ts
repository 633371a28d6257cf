import type { DockerEngine } from './engine/docker-engine.js';
import type { LocalMount } from './mount-spec.js';
import type { ResolvedMount } from './run-result.js';

/**
 * Translates mounts in the caller's filesystem into what the daemon sees. The default passes
 * paths through (caller and daemon share a filesystem); the DooD resolver, which inspects our
 * own container, plugs in here.
 */
export interface PathResolver {
  resolve(mounts: LocalMount[], engine: DockerEngine): Promise<ResolvedMount[]>;
}

/** Caller and daemon see the same paths (the SDK runs on the daemon's host). */
export const sameHostResolver: PathResolver = {
  async resolve(mounts) {
    return mounts.map((m) => ({
      target: m.target,
      source: { type: 'bind', path: m.path },
      readOnly: !m.write,
      localPath: m.path,
    }));
  },
};

let current: PathResolver = sameHostResolver;

/** The resolver `runTool` uses. */
export function pathResolver(): PathResolver {
  return current;
}

/** Replace the resolver (tests, custom topologies). Returns the previous one. */
export function setPathResolver(resolver: PathResolver): PathResolver {
  const previous = current;
  current = resolver;
  return previous;
}
