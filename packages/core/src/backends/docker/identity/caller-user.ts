import type { DockerEngine } from '../engine/docker-engine.js';

/** Who the tool runs as, in Docker's terms. */
export interface ToolUser {
  /** `uid:gid` for the container's `User`, or undefined to keep the image's USER. */
  user: string | undefined;
  /** Supplementary groups (`HostConfig.GroupAdd`). */
  groups: string[];
  /** A writable HOME: a uid the image does not know gets `HOME=/`, and root's may not exist. */
  home: string | undefined;
  /** `HostConfig.UsernsMode`, e.g. Podman's `keep-id`. */
  usernsMode?: string;
}

/** How the daemon maps users, from `docker info` / version. */
export type UserMapping = 'plain' | 'rootless' | 'userns-remap' | 'podman' | 'podman-rootless';

/** Reads the daemon's user mapping (rootless Docker, userns-remap, Podman). */
export async function userMapping(engine: DockerEngine): Promise<UserMapping> {
  const [info, version] = await Promise.all([engine.info(), engine.version()]);
  const security = ((info.SecurityOptions as string[] | undefined) ?? []).join(',');
  if (version.Components?.some((c) => /podman/i.test(c.Name))) {
    return security.includes('name=rootless') || (await podmanSaysRootless(engine)) ? 'podman-rootless' : 'podman';
  }
  if (security.includes('name=rootless')) return 'rootless';
  if (security.includes('name=userns')) return 'userns-remap';
  return 'plain';
}

/**
 * Podman's own info (`/libpod/info`, `host.security.rootless`): its Docker-compatible info does
 * not list `name=rootless` (Podman 4.3, seen with the suite's rootless service), and without
 * `keep-id` a rootless Podman writes the tool's files as one of the caller's subordinate uids.
 */
function podmanSaysRootless(engine: DockerEngine): Promise<boolean> {
  let answer = podmanRootless.get(engine);
  if (!answer) {
    answer = new Promise((resolve) => {
      engine.docker.modem.dial({ path: '/v4.0.0/libpod/info', method: 'GET', statusCodes: { 200: true } }, (error: unknown, data: unknown) => {
        if (error) podmanRootless.delete(engine); // asked again next time
        resolve(!error && (data as { host?: { security?: { rootless?: unknown } } } | undefined)?.host?.security?.rootless === true);
      });
    });
    podmanRootless.set(engine, answer);
  }
  return answer;
}

/** One question per engine, as `info()` is asked once. */
const podmanRootless = new WeakMap<DockerEngine, Promise<boolean>>();

let warnedRemap = false;

/**
 * Maps the `user` option to the container's identity. Default (`"auto"`): the caller's uid:gid
 * and groups — except rootless Docker, where container root *is* the caller on the host, and
 * rootless Podman, where `keep-id` maps the caller through. Explicit ids and `"image"` are opt-outs.
 *
 * `socketGid` is the daemon socket's group (backends/docker/daemon-socket.ts), left out of the groups: a caller
 * in the `docker` group would otherwise hand the tool the right to use the socket wherever it
 * finds it — a hard link or a bind mount under another name that masking cannot know of.
 * Undefined when the caller exposes the socket on purpose (`exposeDaemonSocket`).
 */
export function toolUser(option: string, mapping: UserMapping = 'plain', socketGid?: number): ToolUser {
  if (option === 'image') return { user: undefined, groups: [], home: undefined };
  if (option !== 'auto') return { user: option, groups: [], home: '/tmp' };
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  if (mapping === 'rootless') return { user: '0:0', groups: [], home: '/tmp' };
  const groups = (process.getgroups?.() ?? []).filter((g) => g !== gid && g !== socketGid).map(String);
  // Rootless Podman: keep-id maps the caller's uid into the container as itself (rootful
  // Podman refuses keep-id and maps ids as Docker does).
  if (mapping === 'podman-rootless') return { user: `${uid}:${gid}`, groups: [], home: '/tmp', usernsMode: 'keep-id' };
  if (mapping === 'userns-remap' && !warnedRemap) {
    warnedRemap = true;
    process.emitWarning('tooldock: the daemon uses userns-remap; files the tools write will belong to a remapped uid on the host, not to you');
  }
  return { user: `${uid}:${gid}`, groups, home: '/tmp' };
}
