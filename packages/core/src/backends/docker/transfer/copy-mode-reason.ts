import { hostname } from 'node:os';
import type { DockerEngine } from '../engine/docker-engine.js';
import { transferSwitch } from '../../../util/environment.js';

/**
 * Why files must be copied to this daemon, or undefined when it sees our paths: tcp://, ssh://,
 * or a unix socket of a daemon on another machine or in an isolated DinD container (it reports
 * another hostname). Binding our paths there would show the tool the *daemon's* files, or empty
 * directories. `TOOLDOCK_TRANSFER=copy` forces copy mode, `=mount` forbids it.
 *
 * @example
 * ```ts
 * const why = await copyModeReason(connect());
 * if (why) console.log(`mounts are copied in and out: ${why}`);
 * ```
 */
export async function copyModeReason(engine: DockerEngine): Promise<string | undefined> {
  const forced = transferSwitch();
  if (forced === 'copy') return 'TOOLDOCK_TRANSFER=copy';
  if (forced === 'mount') return undefined;
  if (!engine.target.socketPath) return `the daemon at ${engine.endpoint} is remote`;
  const name = String((await engine.info().catch(() => ({}) as Record<string, unknown>)).Name ?? '');
  // A daemon on this machine reports our hostname; DinD and forwarded sockets report their own.
  return name && name !== hostname() ? `the daemon at ${engine.endpoint} runs on "${name}", not on this machine ("${hostname()}")` : undefined;
}
