import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { MountPlan, PathResolver } from '../path-resolver.js';
import type { LocalMount } from '../mount-spec.js';
import { packMounts } from './pack-mounts.js';
import type { CopiedIn } from './snapshot.js';
import { unpackOutputs, type UnpackContext } from './unpack-outputs.js';

/**
 * Copy mode, for a daemon that shares no filesystem with us (DinD, tcp://, ssh://, a remote
 * Podman): nothing is bind-mounted. Before start, every mount's contents are streamed into the
 * created container with `putArchive` at the mount's target; after exit, writable mounts are
 * streamed back with `getArchive` into the same local paths, staged and renamed into place.
 *
 * @example
 * ```ts
 * setPathResolver(copyModeResolver); // force copy mode, e.g. to test a remote setup locally
 * ```
 */
export const copyModeResolver: PathResolver = {
  async plan(mounts: LocalMount[]): Promise<MountPlan> {
    if (mounts.length === 0) return { mounts: [] };
    const copiedIn: CopiedIn = new Map();
    const allTargets = mounts.map((m) => m.target);
    return {
      mounts: mounts.map((m) => ({ target: m.target, source: { type: 'copy' }, readOnly: !m.write, localPath: m.path })),
      async beforeStart(container) {
        // docker-modem pipes any stream with pipe(); tar-stream's is a streamx Readable.
        await container.putArchive(packMounts(mounts, copiedIn) as unknown as NodeJS.ReadableStream, { path: '/' });
      },
      async afterExit(container, keepOutputs) {
        if (!keepOutputs) return;
        for (const mount of mounts.filter((m) => m.write)) await copyBack(container, mount, { copiedIn, allTargets });
      },
    };
  },
};

async function copyBack(container: Docker.Container, mount: LocalMount, context: UnpackContext): Promise<void> {
  const archive = await container.getArchive({ path: mount.target });
  await unpackOutputs(archive as Readable, mount, context);
}
