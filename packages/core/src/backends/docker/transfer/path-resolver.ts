import type { PathResolver } from './mount-plan.js';

export type { MountPlan, PathResolver } from './mount-plan.js';

/**
 * Caller and daemon see the same paths (the SDK runs on the daemon's host).
 *
 * @example
 * ```ts
 * setPathResolver(sameHostResolver); // paths pass through unchanged
 * ```
 */
export const sameHostResolver: PathResolver = {
  transfer: 'bind',
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

let chosen: PathResolver | undefined;

/**
 * Force a resolver for every engine (tests, custom topologies); `undefined` restores detection
 * (backends/docker/transfer/transfer-decision.ts).
 *
 * @example
 * ```ts
 * const previous = setPathResolver(sameHostResolver);
 * try { await runTool(image, ['ls', '/data'], ['/data']); } finally { setPathResolver(previous); }
 * ```
 */
export function setPathResolver(resolver: PathResolver | undefined): PathResolver | undefined {
  const previous = chosen;
  chosen = resolver;
  return previous;
}

/** The resolver forced with {@link setPathResolver}, if any. */
export function chosenPathResolver(): PathResolver | undefined {
  return chosen;
}
