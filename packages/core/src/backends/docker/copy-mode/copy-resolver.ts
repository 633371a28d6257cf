import type { LocalMount } from '../../../api/mount-spec.js';
import type { KeptLocal, MountPlan, PathResolver } from '../transfer/mount-plan.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import { packMounts } from './pack-mounts.js';
import type { SentTrees } from './sent-trees.js';
import { unpackOutputs, type UnpackContext } from './unpack-outputs.js';

/**
 * Copy mode, for a daemon that shares no filesystem with us (DinD, tcp://, ssh://, a remote
 * Podman): nothing is bind-mounted. Before start, every mount's contents are streamed into the
 * created container with `putArchive` at the mount's target; after exit, writable mounts are
 * streamed back with `getArchive` and the local trees synced to what the tool left, as bind mode
 * would have them (unpack-outputs.ts) — unless the run was ended meanwhile (its signal fired):
 * then nothing is moved in. A warm session's plan lives as long as the session: each call's
 * copy-back compares against what the previous one left.
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
    // Per writable mount, what the container holds: what was sent, then what each copy-back left.
    const sent: SentTrees = new Map();
    const allTargets = mounts.map((m) => m.target);
    return {
      mounts: mounts.map((m) => ({ target: m.target, source: { type: 'copy' }, readOnly: !m.write, localPath: m.path })),
      async beforeStart(container) {
        // docker-modem pipes any stream with pipe(); tar-stream's is a streamx Readable.
        await engine.containers.putArchive(container.id, packMounts(mounts, sent) as unknown as NodeJS.ReadableStream, '/');
      },
      async afterExit(container, keepOutputs, signal) {
        if (!keepOutputs) return [];
        const kept: KeptLocal[] = [];
        for (const mount of mounts.filter((m) => m.write)) kept.push(...(await copyBack(engine, container.id, mount, { sent, allTargets, signal })));
        return kept;
      },
    };
  },
};

async function copyBack(engine: DockerEngine, containerId: string, mount: LocalMount, context: UnpackContext): Promise<KeptLocal[]> {
  const archive = await engine.containers.getArchive(containerId, mount.target);
  return (await unpackOutputs(archive, mount, context)).kept;
}
