import type { DockerEngine } from '../engine/docker-engine.js';
import type { PathResolver } from '../path-resolver.js';

/**
 * The copy-mode resolver when `engine`'s daemon shares no filesystem with us (DinD, tcp://,
 * ssh://), else undefined. Asked only when we are not a verified DooD container.
 * (Placeholder until copy mode lands.)
 */
export async function copyModeResolverFor(_engine: DockerEngine): Promise<PathResolver | undefined> {
  return undefined;
}
