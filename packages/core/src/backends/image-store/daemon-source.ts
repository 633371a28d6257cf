import { userInfo } from 'node:os';
import type { ImageConfig } from './image-config.js';
import { runCommand } from './run-command.js';

/** An image as a local Docker (or Podman, through its Docker-compatible socket) daemon has it. */
export interface DaemonImage extends ImageConfig {
  imageId: string;
}

/** Asks the daemon the docker CLI reaches (`DOCKER_HOST` and contexts apply) about `image`. */
export async function inspectInDaemon(
  image: string,
  signal: AbortSignal,
  env?: NodeJS.ProcessEnv,
): Promise<{ found: true; image: DaemonImage } | { found: false; why: string }> {
  let outcome;
  try {
    outcome = await runCommand(['docker', 'image', 'inspect', '--format', '{{json .}}', image], signal, 'asking the Docker daemon for the image', {
      env,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { found: false, why: 'there is no docker command to convert it from a daemon' };
    throw error;
  }
  if (outcome.code !== 0) {
    const message = outcome.stderr.trim().split('\n').pop() ?? '';
    return { found: false, why: /no such image/i.test(message) ? 'the Docker daemon does not have it' : `no Docker daemon answered (${message})` };
  }
  const inspect = JSON.parse(outcome.stdout) as {
    Id: string;
    Config?: { Entrypoint?: string[] | null; Cmd?: string[] | null; Env?: string[] | null; WorkingDir?: string };
  };
  return {
    found: true,
    image: {
      imageId: inspect.Id,
      entrypoint: inspect.Config?.Entrypoint ?? null,
      cmd: inspect.Config?.Cmd ?? null,
      env: inspect.Config?.Env ?? [],
      workingDir: inspect.Config?.WorkingDir || '/',
    },
  };
}

/** `ch-convert -i docker IMAGE DIR` (ch-convert exports a container of it and unpacks the tar). */
export async function convertFromDaemon(
  image: string,
  dir: string,
  signal: AbortSignal,
  progress: (status: string) => void,
  env?: NodeJS.ProcessEnv,
): Promise<void> {
  const outcome = await runCommand(['ch-convert', '--no-clobber', '-i', 'docker', '-o', 'dir', image, dir], signal, 'converting the image', {
    env: convertEnv(env),
    onLine: progress,
  });
  if (outcome.code !== 0)
    throw new Error(
      `ch-convert could not convert ${image}: ${outcome.stderr.trim().split('\n').slice(-3).join(' / ') || `exit code ${outcome.code}`}`,
    );
}

/** ch-convert is a shell script that needs `$USER` (ch-run's rule). */
function convertEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, USER: env.USER || callerName() };
}

export function callerName(): string {
  try {
    return process.env.USER || userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'tooldock');
  }
}
