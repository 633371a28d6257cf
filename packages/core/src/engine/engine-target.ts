import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { currentDockerContext, type DockerContext } from './docker-context.js';
import type { SshOptions, SshTarget } from './ssh-dial-agent.js';

/** How to reach a daemon; all optional (see {@link connect} for the order). */
export interface ConnectOptions {
  /** `unix:///path/docker.sock`, `tcp://host:2375`, `ssh://user@host`. */
  host?: string;
  /** Shorthand for `host: "unix://" + socketPath`. */
  socketPath?: string;
  /** Credentials and known_hosts for `ssh://` daemons. */
  ssh?: SshOptions;
}

/** Which rule chose the daemon, in the docker CLI's order. */
export type EngineChoice = 'option' | 'DOCKER_HOST' | 'DOCKER_CONTEXT' | 'config.json' | 'default';

export interface EngineTarget {
  endpoint: string;
  /** The unix socket, when the daemon is reached through one. */
  socketPath: string | undefined;
  /** Which rule chose it: explicit option, `DOCKER_HOST`, a docker context, or a default socket. */
  source: EngineChoice;
  /** The docker context's name, when one chose the daemon. */
  context?: string;
  /** Set for `ssh://` daemons (reached through `docker system dial-stdio`). */
  ssh?: SshTarget;
  dockerodeOptions: Docker.DockerOptions;
}

/**
 * Decides which daemon to talk to, as the docker CLI does: explicit option → `DOCKER_HOST`
 * (with `DOCKER_TLS_VERIFY` / `DOCKER_CERT_PATH`) → `DOCKER_CONTEXT` → `currentContext` in
 * config.json → the default and rootless sockets.
 */
export function resolveEngineTarget(options: ConnectOptions): EngineTarget {
  const explicit = options.socketPath ? `unix://${options.socketPath}` : options.host;
  if (explicit) return fromHost(explicit, 'option', envTls());
  if (process.env.DOCKER_HOST) return fromHost(process.env.DOCKER_HOST, 'DOCKER_HOST', envTls());
  const current = currentDockerContext();
  if (current) return { ...fromHost(current.context.host, current.chosenBy, contextTls(current.context)), context: current.context.name };
  const socketPath = defaultSockets().find((p) => existsSync(p)) ?? '/var/run/docker.sock';
  return { endpoint: `unix://${socketPath}`, socketPath, source: 'default', dockerodeOptions: { socketPath } };
}

interface Tls {
  verify: boolean;
  certDir: string | undefined;
}

function envTls(): Tls {
  return { verify: process.env.DOCKER_TLS_VERIFY === '1', certDir: process.env.DOCKER_CERT_PATH || undefined };
}

function contextTls(context: DockerContext): Tls {
  return { verify: !!context.tlsDir && !context.skipTLSVerify, certDir: context.tlsDir };
}

function fromHost(host: string, source: EngineChoice, tls: Tls): EngineTarget {
  if (host.startsWith('unix://')) {
    const socketPath = host.slice('unix://'.length) || '/var/run/docker.sock';
    return { endpoint: `unix://${socketPath}`, socketPath, source, dockerodeOptions: { socketPath } };
  }
  const url = new URL(host.includes('://') ? host : `tcp://${host}`);
  if (url.protocol === 'ssh:') {
    const ssh = { host: url.hostname, port: Number(url.port || 22), username: decodeURIComponent(url.username) || userName() };
    // Requests go through the engine's SshDialAgent; host and port only fill the HTTP request line.
    return { endpoint: `ssh://${ssh.username}@${ssh.host}:${ssh.port}`, socketPath: undefined, source, ssh, dockerodeOptions: { protocol: 'http', host: 'docker', port: 80 } };
  }
  if (url.protocol !== 'tcp:' && url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`cannot reach a daemon at "${host}": use unix:///path/docker.sock, tcp://host:port or ssh://user@host`);
  }
  const secure = tls.verify || url.port === '2376' || url.protocol === 'https:' || !!tls.certDir;
  const port = Number(url.port || (secure ? 2376 : 2375));
  const certs = tls.certDir ? readCerts(tls.certDir) : {};
  return {
    endpoint: `tcp://${url.hostname}:${port}`, socketPath: undefined, source,
    dockerodeOptions: { protocol: secure ? 'https' : 'http', host: url.hostname, port, ...certs },
  };
}

function readCerts(dir: string): Pick<Docker.DockerOptions, 'ca' | 'cert' | 'key'> {
  const read = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name)) : undefined);
  return { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') };
}

function userName(): string {
  return process.env.USER || process.env.LOGNAME || 'root';
}

function defaultSockets(): string[] {
  const sockets = ['/var/run/docker.sock'];
  if (process.env.XDG_RUNTIME_DIR) sockets.push(join(process.env.XDG_RUNTIME_DIR, 'docker.sock'));
  sockets.push(join(homedir(), '.docker', 'run', 'docker.sock'));
  return sockets;
}
