import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { DockerEngine } from '../engine/docker-engine.js';
import { selfContainerOverride } from '../../../util/environment.js';
import { containerIdCandidates } from './container-id-candidates.js';
import { parseMountinfo } from './mountinfo.js';
import { mountTableFrom, normalize, type OwnMount } from './mount-table.js';
import { realPath } from './real-path.js';

/** Where this process runs, as far as a daemon is concerned. */
export type SelfLocation =
  | { kind: 'host' }
  | { kind: 'container'; containerId: string; name: string; image: string; mounts: OwnMount[] }
  /** Clearly in a container, but not one this daemon runs (or we could not tell which). */
  | { kind: 'unverified-container'; tried: string[]; reason: string };

const cache = new WeakMap<DockerEngine, Promise<SelfLocation>>();

/**
 * Finds and verifies our own container on `engine`'s daemon (cached per engine).
 *
 * @example
 * ```ts
 * const self = await locateSelf(connect());
 * if (self.kind === 'container') console.log(`in ${self.name}`, self.mounts);
 * ```
 */
export function locateSelf(engine: DockerEngine): Promise<SelfLocation> {
  let found = cache.get(engine);
  if (!found) {
    found = detect(engine);
    cache.set(engine, found);
  }
  return found;
}

async function detect(engine: DockerEngine): Promise<SelfLocation> {
  const mountinfo = read('/proc/self/mountinfo');
  const candidates = containerIdCandidates({
    override: selfContainerOverride(),
    cgroup: read('/proc/self/cgroup'),
    mountinfo,
    hostname: hostname(),
  });
  const ourMountPoints = new Set(parseMountinfo(mountinfo).map((m) => normalize(m.mountPoint)));
  for (const id of candidates) {
    const inspect = await engine.containers.inspect(id).catch(() => undefined);
    if (!inspect?.State?.Running) continue;
    // Destinations as our namespace resolves them (/var/run/docker.sock is /run/docker.sock here).
    const mounts = mountTableFrom(inspect as never).map((m) => ({ ...m, destination: realPath(m.destination) }));
    // A real match: every mount the daemon gave that container is a mount point in our
    // namespace (rules out pause containers, stale hostnames and same-named containers elsewhere).
    const verified = mounts.length > 0 ? mounts.every((m) => ourMountPoints.has(m.destination)) : inspect.Config?.Hostname === hostname();
    if (verified) {
      return { kind: 'container', containerId: inspect.Id, name: inspect.Name.replace(/^\//, ''), image: inspect.Config.Image, mounts };
    }
  }
  // A daemon running beside us (same PID namespace, reached by a unix socket) sees our files
  // as they are, even when we ourselves are in a container (a CI sandbox, a dev VM image).
  if (engine.target.socketPath && daemonProcessVisible()) return { kind: 'host' };
  if (existsSync('/.dockerenv') || existsSync('/run/.containerenv') || selfContainerOverride()) {
    return {
      kind: 'unverified-container',
      tried: candidates,
      reason: candidates.length
        ? `none of the candidate ids (${candidates.map((c) => c.slice(0, 12)).join(', ')}) is a running container on ${engine.endpoint} whose mounts match ours`
        : 'no container id could be read from /proc/self/cgroup, /proc/self/mountinfo or the hostname',
    };
  }
  return { kind: 'host' };
}

function daemonProcessVisible(): boolean {
  try {
    return readdirSync('/proc').some((pid) => /^\d+$/.test(pid) && ['dockerd', 'podman'].includes(read(`/proc/${pid}/comm`).trim()));
  } catch {
    return false;
  }
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
