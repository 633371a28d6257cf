import type { DockerEngine } from '../engine/docker-engine.js';
import type { PathResolver } from '../path-resolver.js';
import { locateSelf } from './detect-self.js';
import { doodResolver } from './dood-resolver.js';

/**
 * The DooD resolver when this process runs in a container verified on `engine`'s daemon;
 * a resolver that refuses mounts (with the reason and the fixes) when we are clearly in a
 * container the daemon does not know; undefined on the host.
 */
export async function doodResolverFor(engine: DockerEngine): Promise<PathResolver | undefined> {
  const self = await locateSelf(engine);
  if (self.kind === 'host') return undefined;
  if (self.kind === 'container') return doodResolver(self);
  return {
    unverified: true,
    async plan(mounts) {
      if (mounts.length === 0) return { mounts: [] };
      throw new Error(`cannot share ${mounts.map((m) => m.path).join(', ')} with tools: this process runs in a container, but ${self.reason}. ` +
        'Fixes: mount the host\'s socket into this container (-v /var/run/docker.sock:/var/run/docker.sock) so its own mounts can be ' +
        'translated; or name this container with TOOLDOCK_SELF_CONTAINER=<id>; or, for a daemon that shares no files with us ' +
        '(DinD, tcp://, ssh://), set TOOLDOCK_TRANSFER=copy to copy files to and from tools.');
    },
  };
}
