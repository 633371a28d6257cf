import type Docker from 'dockerode';
import type { ToolUser } from './caller-user.js';
import { memoryToBytes, type ParsedRunOptions } from './options.js';
import type { ResolvedMount } from './run-result.js';
import { sessionLabels } from './session.js';

export interface ContainerPlan {
  image: string;
  args: string[];
  mounts: ResolvedMount[];
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
      Mounts: plan.mounts.flatMap(toDockerMount),
      ...(user.groups.length ? { GroupAdd: user.groups } : {}),
      ...(user.usernsMode ? { UsernsMode: user.usernsMode } : {}),
      ...(options.cpus !== undefined ? { NanoCpus: Math.round(options.cpus * 1e9) } : {}),
      // Swap equal to memory: the limit is real, and an overrun is an OOM kill, not slow swapping.
      ...(memory !== undefined ? { Memory: memory, MemorySwap: memory } : {}),
    },
  };
}

function toDockerMount(m: ResolvedMount): Docker.MountSettings[] {
  if (m.source.type === 'copy') return []; // copied into the container's own filesystem instead
  if (m.source.type === 'bind') {
    return [{ Type: 'bind', Source: m.source.path, Target: m.target, ReadOnly: m.readOnly }];
  }
  return [{
    Type: 'volume',
    Source: m.source.name,
    Target: m.target,
    ReadOnly: m.readOnly,
    ...(m.source.subpath ? { VolumeOptions: { Subpath: m.source.subpath } as Docker.MountSettings['VolumeOptions'] } : {}),
  }];
}

/** A short name for labels and progress: the program, else the image's repository name. */
export function toolName(image: string, args: readonly string[]): string {
  const program = args[0]?.split('/').pop();
  if (program && !program.startsWith('-')) return program;
  return image.split('@')[0]!.split('/').pop()!.split(':')[0] || image;
}

function toArray(v: string | string[]): string[] {
  return Array.isArray(v) ? v : [v];
}
