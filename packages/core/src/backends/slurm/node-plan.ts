import type { ToolUser } from '../docker/identity/caller-user.js';
import { memoryToBytes, type ParsedRunOptions } from '../../api/options.js';
import type { ResolvedMount } from '../../api/run-result.js';
import type { NodeContainerPlan } from './node-runtime.js';
import { bindSource, hostBinds } from '../host-binds.js';

/**
 * A run's options as the node's command line takes them: the same settings and hardening
 * defaults as a local container (backends/docker/container-config.ts) — no privilege gain, bounded processes,
 * no capabilities for a non-root tool.
 */
export function nodePlan(
  name: string,
  image: string,
  args: string[],
  mounts: ResolvedMount[],
  user: ToolUser,
  labels: Record<string, string>,
  options: ParsedRunOptions,
  files: { envFile: string; spoolRoot?: string },
): NodeContainerPlan {
  const { envFile, spoolRoot } = files;
  const masks = spoolRoot === undefined ? [] : spoolMasks(mounts, spoolRoot);
  return {
    ...(masks.length ? { masks } : {}),
    name,
    image,
    args,
    labels,
    user: user.user,
    groups: user.groups,
    mounts: hostBinds(mounts),
    env: { ...(user.home ? { HOME: user.home } : {}), ...options.env },
    envFile,
    network: options.network,
    pull: options.pull,
    stdin: options.stdin !== undefined,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.entrypoint !== undefined ? { entrypoint: options.entrypoint } : {}),
    ...(options.cpus !== undefined ? { cpus: options.cpus } : {}),
    ...(options.memory !== undefined ? { memoryBytes: memoryToBytes(options.memory) } : {}),
    noNewPrivileges: options.noNewPrivileges,
    pidsLimit: options.pidsLimit,
    ...capabilities(options.capabilities, user),
    ...(options.gpus !== undefined ? { gpus: true } : {}),
  };
}

function capabilities(choice: ParsedRunOptions['capabilities'], user: ToolUser): { capabilities?: string[] } {
  if (Array.isArray(choice)) return { capabilities: choice };
  // The image's own USER may be root, and root's default set is the runtime's to give.
  if (choice === 'default' || user.user === undefined || user.user.split(':')[0] === '0') return {};
  return { capabilities: [] };
}

/**
 * Where the spool shows through a mount (a mount of its parent, e.g. the home directory), as the
 * container sees it: a tool that could write there could change the command lines its node runs next.
 */
export function spoolMasks(mounts: ResolvedMount[], spoolRoot: string): string[] {
  return spoolBelowMounts(mounts, spoolRoot).map(({ mount, below }) => {
    const target = mounts[mount]!.target;
    return target === '/' ? below : `${target}${below}`;
  });
}

/** The mounts (by index) whose source holds the spool, and where it is below the source (`/…`). */
export function spoolBelowMounts(mounts: ResolvedMount[], spoolRoot: string): Array<{ mount: number; below: string }> {
  return mounts.flatMap((m, mount) => {
    const source = bindSource(m);
    const below = source === '/' ? spoolRoot : spoolRoot.startsWith(`${source}/`) ? spoolRoot.slice(source.length) : undefined;
    return below === undefined ? [] : [{ mount, below }];
  });
}
