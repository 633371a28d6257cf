import { toolName } from '../../lifecycle/tool-name.js';
import type Docker from 'dockerode';
import type { ToolUser } from './identity/caller-user.js';
import { deviceRequests } from './gpu-request.js';
import { memoryToBytes, type ParsedRunOptions } from '../../api/options.js';
import type { ResolvedMount } from '../../api/run-result.js';
import { sessionLabels } from './process-session.js';

export interface ContainerPlan {
  image: string;
  args: string[];
  mounts: ResolvedMount[];
  /** Container paths covered by a read-only `/dev/null`: where the daemon's socket would be (backends/docker/daemon-socket.ts). */
  masks?: string[];
  user: ToolUser;
  options: ParsedRunOptions;
}

/** The create body for a tool container. Pure: everything it needs is in the plan. */
export function containerConfig(plan: ContainerPlan): Docker.ContainerCreateOptions {
  const { options, user } = plan;
  const hasStdin = options.stdin !== undefined;
  const env = { ...(user.home ? { HOME: user.home } : {}), ...options.env };
  const memory = options.memory === undefined ? undefined : memoryToBytes(options.memory);
  return {
    Image: plan.image,
    Cmd: plan.args,
    ...(options.entrypoint !== undefined ? { Entrypoint: toArray(options.entrypoint) } : {}),
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    ...(options.cwd ? { WorkingDir: options.cwd } : {}),
    ...(user.user ? { User: user.user } : {}),
    Labels: { ...options.labels, ...sessionLabels(toolName(plan.image, plan.args)) },
    Tty: false,
    AttachStdin: hasStdin,
    OpenStdin: hasStdin,
    StdinOnce: hasStdin,
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: {
      AutoRemove: false,
      NetworkMode: options.network,
      // Output reaches us through the attach; the daemon need not also write it to a log file
      // (json-file would store every byte on the daemon's disk and halve streaming throughput).
      LogConfig: { Type: 'none', Config: {} },
      Mounts: [...plan.mounts.flatMap(toDockerMount), ...(plan.masks ?? []).map(maskMount)],
      ...(user.groups.length ? { GroupAdd: user.groups } : {}),
      ...(user.usernsMode ? { UsernsMode: user.usernsMode } : {}),
      ...(options.cpus !== undefined ? { NanoCpus: Math.round(options.cpus * 1e9) } : {}),
      // Swap equal to memory: the limit is real, and an overrun is an OOM kill, not slow swapping.
      ...(memory !== undefined ? { Memory: memory, MemorySwap: memory } : {}),
      ...(options.gpus !== undefined ? { DeviceRequests: deviceRequests(options.gpus) } : {}),
      ...hardening(options, user),
    },
  };
}

/**
 * The defaults of the threat model, each overridable: no privilege gain through setuid binaries
 * or file capabilities, a bounded number of processes (a fork bomb stays in its container), and
 * no capabilities a tool cannot use.
 */
function hardening(options: ParsedRunOptions, user: ToolUser): Docker.HostConfig {
  return {
    ...(options.noNewPrivileges ? { SecurityOpt: ['no-new-privileges'] } : {}),
    ...(options.pidsLimit !== null ? { PidsLimit: options.pidsLimit } : {}),
    ...capabilities(options.capabilities, user),
  };
}

function capabilities(choice: ParsedRunOptions['capabilities'], user: ToolUser): Docker.HostConfig {
  if (Array.isArray(choice)) return { CapDrop: ['ALL'], CapAdd: choice };
  if (choice === 'default' || mayBeRoot(user)) return {};
  // A non-root process has no effective capabilities anyway; dropping the bounding set too means
  // nothing it executes (a setuid or file-capability binary) can get them back.
  return { CapDrop: ['ALL'] };
}

/** The image's own USER is unknown here (it may be root); `"0"` and `"0:…"` are root. */
function mayBeRoot(user: ToolUser): boolean {
  return user.user === undefined || user.user.split(':')[0] === '0';
}

/** `/dev/null` is on every daemon's host; a bind over the socket leaves nothing to connect to. */
function maskMount(target: string): Docker.MountSettings {
  return { Type: 'bind', Source: '/dev/null', Target: target, ReadOnly: true };
}

function toDockerMount(m: ResolvedMount): Docker.MountSettings[] {
  if (m.source.type === 'copy') return []; // copied into the container's own filesystem instead
  if (m.source.type === 'bind') {
    return [{ Type: 'bind', Source: m.source.path, Target: m.target, ReadOnly: m.readOnly }];
  }
  return [
    {
      Type: 'volume',
      Source: m.source.name,
      Target: m.target,
      ReadOnly: m.readOnly,
      ...(m.source.subpath ? { VolumeOptions: { Subpath: m.source.subpath } as Docker.MountSettings['VolumeOptions'] } : {}),
    },
  ];
}

function toArray(v: string | string[]): string[] {
  return Array.isArray(v) ? v : [v];
}
