import { realpathSync, statSync } from 'node:fs';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import type { LocalMount } from '../../api/mount-spec.js';
import type { ResolvedMount } from '../../api/run-result.js';
import { DEFAULT_DOCKER_SOCKET } from '../docker/engine/engine-target.js';

/** Where a node's container runtime listens: a tool that reaches one owns the node. */
const RUNTIME_SOCKETS = [DEFAULT_DOCKER_SOCKET, '/run/docker.sock', '/run/podman/podman.sock', '/var/run/podman/podman.sock'];

/**
 * Before anything is submitted (synchronous, for runTool's validation): on a cluster a mount is a
 * path on the shared filesystem, the same on every node, so it must exist here — a missing one
 * would make the node's runtime fail (or create an empty directory) far away. A mount that is, or
 * contains, a container runtime's socket is refused unless `exposeDaemonSocket` asks for it. So
 * is a mount of the `spoolRoot` (when given and existing) or of anything in it: the nodes run the
 * command lines the spool holds, outside any container, so a tool that could write there could
 * change what the next job runs. (A mount of a directory *above* the spool is allowed: the spool
 * is covered in it.)
 */
export function checkSlurmMounts(mounts: readonly LocalMount[], options: { exposeDaemonSocket?: boolean }, spoolRoot?: string): void {
  mounts.forEach((mount, i) => {
    const real = realPath(mount.path);
    if (real === undefined) {
      throw new InvalidInputError(
        `mounts[${i}]`,
        mount.path,
        'does not exist on this host; on a Slurm cluster a mount must be a path on the filesystem the nodes share (same path everywhere)',
      );
    }
    if (spoolRoot !== undefined && (real === spoolRoot || real.startsWith(`${spoolRoot}/`))) {
      throw new InvalidInputError(
        `mounts[${i}]`,
        mount.path,
        `is in tooldock's spool directory (${spoolRoot}), whose command lines the nodes run outside any container: a tool that could write there could change what the next job runs. Mount a directory outside it (the spool is set by the slurm option spoolDir)`,
      );
    }
    if (options.exposeDaemonSocket) return;
    const socket = RUNTIME_SOCKETS.find((s) => s === real || s.startsWith(real === '/' ? '/' : `${real}/`));
    if (socket || statSync(real).isSocket()) {
      throw new InvalidInputError(
        `mounts[${i}]`,
        mount.path,
        `is or contains a container runtime socket (${socket ?? real}); a tool that reaches it controls the node. Mount a narrower directory, or set exposeDaemonSocket: true if that is really meant`,
      );
    }
  });
}

/** The mounts as the nodes bind them: real paths (a symlink is resolved here, not on the node). */
export function slurmMounts(mounts: readonly LocalMount[]): ResolvedMount[] {
  return mounts.map((m) => {
    const path = realPath(m.path) ?? m.path;
    return { target: m.target, source: { type: 'bind', path }, readOnly: !m.write, localPath: m.path };
  });
}

function realPath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}
