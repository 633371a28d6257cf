import type { DockerEngine } from '../engine/docker-engine.js';
import type { PathResolver } from '../path-resolver.js';

/**
 * The DooD resolver when this process runs in a container verified on `engine`'s daemon,
 * else undefined. (Placeholder until self-container discovery lands.)
 */
export async function doodResolverFor(_engine: DockerEngine): Promise<PathResolver | undefined> {
  return undefined;
}
