import type { PathResolver } from '../transfer/mount-plan.js';

/**
 * For a process clearly in a container that the daemon does not know (`reason` says why): its
 * paths cannot be translated, and passing them as they are would have the daemon create empty
 * root-owned directories on its host. So any mount is refused, with the fixes.
 */
export function refusingResolver(reason: string): PathResolver {
  return {
    async plan(mounts) {
      if (mounts.length === 0) return { mounts: [] };
      throw new Error(
        `cannot share ${mounts.map((m) => m.path).join(', ')} with tools: this process runs in a container, but ${reason}. ` +
          "Fixes: mount the host's socket into this container (-v /var/run/docker.sock:/var/run/docker.sock) so its own mounts can be " +
          'translated; or name this container with TOOLDOCK_SELF_CONTAINER=<id>; or, for a daemon that shares no files with us ' +
          '(DinD, tcp://, ssh://), set TOOLDOCK_TRANSFER=copy to copy files to and from tools.',
      );
    },
  };
}
