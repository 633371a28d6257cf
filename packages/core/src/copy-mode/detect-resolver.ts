import { hostname } from 'node:os';
import type { DockerEngine } from '../engine/docker-engine.js';
import type { PathResolver } from '../path-resolver.js';

/**
 * For a daemon that shares no filesystem with us (tcp://, ssh://, or a unix socket of a daemon
 * on another machine or in an isolated DinD container): a resolver that refuses mounts with the
 * reason — binding our paths there would show the tool the *daemon's* files, or empty
 * directories. Copy mode (putArchive/getArchive) is not built yet; runs without mounts work.
 * Asked only when we are not a verified DooD container; undefined for a local daemon.
 */
export async function copyModeResolverFor(engine: DockerEngine): Promise<PathResolver | undefined> {
  const why = await remoteReason(engine);
  if (!why) return undefined;
  return {
    async plan(mounts) {
      if (mounts.length === 0) return { mounts: [] };
      throw new Error(`cannot share ${mounts.map((m) => m.path).join(', ')} with tools: ${why}, so it cannot see this machine's files. ` +
        'Run the tool without mounts (pass data on stdin, read results from stdout), or use a daemon on this machine ' +
        '(copying files to a remote daemon is not supported yet).');
    },
  };
}

async function remoteReason(engine: DockerEngine): Promise<string | undefined> {
  if (!engine.target.socketPath) return `the daemon at ${engine.endpoint} is remote`;
  if (process.env.TOOLDOCK_ASSUME_LOCAL_DAEMON === '1') return undefined;
  const name = String((await engine.info().catch(() => ({}) as Record<string, unknown>)).Name ?? '');
  // A daemon on this machine reports our hostname; DinD and forwarded sockets report their own.
  return name && name !== hostname() ? `the daemon at ${engine.endpoint} runs on "${name}", not on this machine ("${hostname()}")` : undefined;
}
