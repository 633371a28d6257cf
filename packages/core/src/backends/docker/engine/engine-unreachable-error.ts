import { statSync } from 'node:fs';
import { TooldockError } from '../../../errors/tooldock-error.js';

const brand: unique symbol = Symbol.for('tooldock.EngineUnreachableError') as never;

/**
 * The Docker daemon could not be reached. The message says which endpoint, why, and the fix
 * (join the socket's group, mount the socket, set `DOCKER_HOST`, start the daemon).
 *
 * @example
 * ```ts
 * try { await connect().ping(); }
 * catch (error) { if (error instanceof EngineUnreachableError) console.error(error.fix); }
 * ```
 */
export class EngineUnreachableError extends TooldockError {
  readonly code = 'ERR_TOOLDOCK_ENGINE_UNREACHABLE';
  override readonly name = 'EngineUnreachableError';
  readonly [brand] = true;
  constructor(
    /** The endpoint we tried, e.g. `unix:///var/run/docker.sock`. */
    readonly endpoint: string,
    /** Why it failed, in words. */
    readonly reason: string,
    /** What to do about it. */
    readonly fix: string,
    options?: { cause?: unknown },
  ) {
    super(`Cannot reach the Docker daemon at ${endpoint}: ${reason}\nFix: ${fix}`, options);
  }
}

const connectionCodes = new Set(['ENOENT', 'EACCES', 'EPERM', 'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'EPIPE']);

/** True when `error` is a failure to talk to the daemon at all (not an API error). */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && connectionCodes.has(code) && (error as { statusCode?: unknown }).statusCode === undefined;
}

/** Explains a connection failure to `endpoint` (a `unix://` socket or a URL) in actionable terms. */
export function explainConnectionError(endpoint: string, socketPath: string | undefined, error: unknown): EngineUnreachableError {
  const code = (error as { code?: string }).code ?? 'unknown';
  const viaEnv = process.env.DOCKER_HOST ? ` (from DOCKER_HOST=${process.env.DOCKER_HOST})` : '';
  if (socketPath && (code === 'EACCES' || code === 'EPERM')) {
    const owner = socketOwner(socketPath);
    const who = `uid ${process.getuid?.()}, groups ${(process.getgroups?.() ?? []).join(',') || 'none'}`;
    return new EngineUnreachableError(
      endpoint + viaEnv,
      `permission denied on the socket (${code}); it is ${owner} and this process runs as ${who}`,
      owner.includes('gid ')
        ? `give this process the socket's group: in a container, run it with --group-add ${socketGid(socketPath)} ` +
            `(compose: group_add: ["${socketGid(socketPath)}"]); on a host, \`usermod -aG docker $USER\` and log in again. ` +
            'Or point DOCKER_HOST at a daemon you may use (e.g. rootless Docker or Podman).'
        : 'run as a user allowed to use the socket, or set DOCKER_HOST to a daemon you may use',
      { cause: error },
    );
  }
  if (socketPath && code === 'ENOENT') {
    return new EngineUnreachableError(
      endpoint + viaEnv,
      `no socket at ${socketPath}`,
      'start the Docker daemon; in a container, mount the host socket (-v /var/run/docker.sock:/var/run/docker.sock); ' +
        'or set DOCKER_HOST (unix://, tcp:// or ssh://) to the daemon you use',
      { cause: error },
    );
  }
  if (code === 'ECONNREFUSED') {
    return new EngineUnreachableError(
      endpoint + viaEnv,
      socketPath ? 'the socket exists but nothing listens on it (daemon stopped or restarting?)' : 'connection refused',
      'start (or restart) the daemon, or set DOCKER_HOST to one that runs',
      { cause: error },
    );
  }
  return new EngineUnreachableError(
    endpoint + viaEnv,
    `${code}: ${(error as Error).message}`,
    'check that the daemon runs and DOCKER_HOST / the docker context point at it',
    { cause: error },
  );
}

function socketOwner(socketPath: string): string {
  try {
    const st = statSync(socketPath);
    return `owned by uid ${st.uid}, gid ${st.gid}, mode ${(st.mode & 0o777).toString(8)}`;
  } catch {
    return 'not inspectable';
  }
}

function socketGid(socketPath: string): string {
  try {
    return String(statSync(socketPath).gid);
  } catch {
    return '<socket gid>';
  }
}
