import type { LocalMount } from '../../../api/mount-spec.js';
import type { MountPlan, PathResolver } from '../transfer/mount-plan.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import { packMounts } from './pack-mounts.js';
import type { CopiedIn } from './snapshot.js';
import { unpackOutputs, type UnpackContext } from './unpack-outputs.js';

/**
 * Copy mode, for a daemon that shares no filesystem with us (DinD, tcp://, ssh://, a remote
 * Podman): nothing is bind-mounted. Before start, every mount's contents are streamed into the
 * created container with `putArchive` at the mount's target; after exit, writable mounts are
 * streamed back with `getArchive` into the same local paths, staged and renamed into place —
 * unless the run was ended meanwhile (its signal fired): then nothing is moved in.
 *
 * @example
 * ```ts
 * setPathResolver(copyModeResolver); // force copy mode, e.g. to test a remote setup locally
 * ```
 */
export const copyModeResolver: PathResolver = {
  transfer: 'copy',
  async plan(mounts: LocalMount[], engine: DockerEngine): Promise<MountPlan> {
    if (mounts.length === 0) return { mounts: [] };
    const copiedIn: CopiedIn = new Map();
    const allTargets = mounts.map((m) => m.target);
    return {
      mounts: mounts.map((m) => ({ target: m.target, source: { type: 'copy' }, readOnly: !m.write, localPath: m.path })),
      async beforeStart(container) {
        // docker-modem pipes any stream with pipe(); tar-stream's is a streamx Readable.
        await engine.containers.putArchive(container.id, packMounts(mounts, copiedIn) as unknown as NodeJS.ReadableStream, '/');
      },
      async afterExit(container, keepOutputs, signal) {
        if (!keepOutputs) return;
        for (const mount of mounts.filter((m) => m.write)) await copyBack(engine, container.id, mount, { copiedIn, allTargets, signal });
      },
    };
  },
};

async function copyBack(engine: DockerEngine, containerId: string, mount: LocalMount, context: UnpackContext): Promise<void> {
  const archive = await engine.containers.getArchive(containerId, mount.target);
  await unpackOutputs(archive, mount, context);
}
