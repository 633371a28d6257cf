import { statSync } from 'node:fs';
import { isSocketOrUnknown } from '../daemon-socket.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import type { LocalMount } from '../../../api/mount-spec.js';
import type { MountPlan, PathResolver } from '../transfer/path-resolver.js';
import type { ResolvedMount } from '../../../api/run-result.js';
import type { SelfLocation } from './detect-self.js';
import type { OwnMount } from './mount-table.js';
import { PathNotShareableError } from './path-not-shareable-error.js';
import { realPath } from './real-path.js';
import { mountsBelow, translatePath } from './translate-path.js';

/** True when the daemon supports `VolumeOptions.Subpath` (API ≥ 1.45). */
export async function supportsSubpath(engine: DockerEngine): Promise<boolean> {
  const [major = 0, minor = 0] = (await engine.version()).ApiVersion.split('.').map(Number);
  return major > 1 || (major === 1 && minor >= 45);
}

/** Translates our paths into the host paths / volumes of our own container's mounts (DooD). */
export function doodResolver(self: Extract<SelfLocation, { kind: 'container' }>): PathResolver {
  return {
    async plan(mounts: LocalMount[], engine: DockerEngine): Promise<MountPlan> {
      const subpathSupported = await supportsSubpath(engine);
      return { mounts: translateMounts(self.mounts, mounts, subpathSupported, self.containerId) };
    },
  };
}

/** The tool's mounts for a request, nested mounts re-added, the socket never forwarded implicitly. */
export function translateMounts(table: OwnMount[], mounts: LocalMount[], subpathSupported: boolean, containerId?: string): ResolvedMount[] {
  const out = new Map<string, ResolvedMount>();
  const add = (m: ResolvedMount) => {
    if (!out.has(m.target)) out.set(m.target, m);
  };
  for (const mount of mounts) {
    const real = realPath(mount.path);
    const t = translatePath(table, real, { write: mount.write, subpathSupported, containerId });
    if (t.wholeVolumeAt) {
      if (mount.target !== mount.path) {
        throw new PathNotShareableError(
          mount.path,
          `is inside volume ${t.via.name}, which this daemon (API < 1.45, no volume subpaths) ` +
            `can only mount whole at ${t.wholeVolumeAt}; mount it at its own path (drop target: ${mount.target})`,
          table,
          containerId,
        );
      }
      add({ target: t.wholeVolumeAt, source: t.source, readOnly: !mount.write, localPath: t.wholeVolumeAt });
    } else {
      add({ target: mount.target, source: t.source, readOnly: !mount.write, localPath: mount.path });
    }
    if (!isDirectory(real)) continue;
    const base = t.wholeVolumeAt ?? real;
    const targetBase = t.wholeVolumeAt ?? mount.target;
    for (const nested of mountsBelow(table, base)) {
      // Never hand a socket on unasked (the daemon's, under whatever name, or another's); what
      // reaches a tool through a mounted directory anyway is masked (backends/docker/daemon-socket.ts).
      if (isSocketOrUnknown(nested.destination)) continue;
      const n = translatePath(table, nested.destination, { write: false, subpathSupported, containerId });
      add({
        target: targetBase + nested.destination.slice(base === '/' ? 0 : base.length),
        source: n.source,
        readOnly: !mount.write || !nested.rw,
        localPath: nested.destination,
      });
    }
  }
  return [...out.values()];
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
