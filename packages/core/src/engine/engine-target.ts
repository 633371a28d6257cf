import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';

/** How to reach a daemon; all optional (see {@link connect} for the order). */
export interface ConnectOptions {
  /** `unix:///path/docker.sock`, `tcp://host:2375`, `ssh://user@host`. */
  host?: string;
  /** Shorthand for `host: "unix://" + socketPath`. */
  socketPath?: string;
}

export interface EngineTarget {
  endpoint: string;
  /** The unix socket, when the daemon is reached through one. */
  socketPath: string | undefined;
  /** Which rule chose it: explicit option, `DOCKER_HOST`, or a default socket. */
  source: 'option' | 'DOCKER_HOST' | 'default';
  dockerodeOptions: Docker.DockerOptions;
}

/** Decides which daemon to talk to. `DOCKER_HOST` itself is parsed by docker-modem. */
export function resolveEngineTarget(options: ConnectOptions): EngineTarget {
  const explicit = options.socketPath ? `unix://${options.socketPath}` : options.host;
  if (explicit) return fromHost(explicit, 'option');
  const env = process.env.DOCKER_HOST;
  if (env) {
    const target = fromHost(env, 'DOCKER_HOST');
    // Let docker-modem read DOCKER_HOST and DOCKER_TLS_VERIFY / DOCKER_CERT_PATH itself.
    return target.socketPath ? target : { ...target, dockerodeOptions: {} };
  }
  const socketPath = defaultSockets().find((p) => existsSync(p)) ?? '/var/run/docker.sock';
  return { endpoint: `unix://${socketPath}`, socketPath, source: 'default', dockerodeOptions: { socketPath } };
}

function fromHost(host: string, source: EngineTarget['source']): EngineTarget {
  if (host.startsWith('unix://')) {
    const socketPath = host.slice('unix://'.length) || '/var/run/docker.sock';
    return { endpoint: `unix://${socketPath}`, socketPath, source, dockerodeOptions: { socketPath } };
  }
  const url = new URL(host.includes('://') ? host : `tcp://${host}`);
  if (url.protocol === 'ssh:') {
    return {
      endpoint: url.href, socketPath: undefined, source,
      dockerodeOptions: { protocol: 'ssh', host: url.hostname, port: url.port || 22, username: url.username || undefined } as Docker.DockerOptions,
    };
  }
  const tls = process.env.DOCKER_TLS_VERIFY === '1' || url.port === '2376';
  return {
    endpoint: `tcp://${url.host}`, socketPath: undefined, source,
    dockerodeOptions: { protocol: tls ? 'https' : 'http', host: url.hostname, port: url.port || (tls ? 2376 : 2375) },
  };
}

function defaultSockets(): string[] {
  const sockets = ['/var/run/docker.sock'];
  if (process.env.XDG_RUNTIME_DIR) sockets.push(join(process.env.XDG_RUNTIME_DIR, 'docker.sock'));
  sockets.push(join(homedir(), '.docker', 'run', 'docker.sock'));
  return sockets;
}
