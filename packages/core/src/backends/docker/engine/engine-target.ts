import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type Docker from 'dockerode';
import { z } from 'zod';
import { InvalidInputError, parseOrThrow } from '../../../errors/invalid-input-error.js';
import { currentDockerContext, type DockerContext } from './docker-context.js';
import type { SshOptions, SshTarget } from './ssh-dial-agent.js';

/** The daemon's socket where Docker puts it by default (the one place this path is spelled). */
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

/** `unix://`, `tcp://` (or `http(s)://`, or a bare `host:port`) and `ssh://` daemons are reachable. */
const HOST_FORMS = 'use unix:///path/docker.sock, tcp://host:port or ssh://user@host';

/**
 * {@link ConnectOptions}, checked like runTool's options: unknown keys (a typo such as `hots`)
 * would otherwise silently fall back to the default daemon.
 */
export const ConnectOptionsSchema = z
  .object({
    host: z
      .string({ error: HOST_FORMS })
      .refine((host) => hostProblem(host) === undefined, HOST_FORMS)
      .optional(),
    socketPath: z
      .string({ error: `must be an absolute path such as ${DEFAULT_DOCKER_SOCKET}` })
      .refine((p) => isAbsolute(p), `must be an absolute path such as ${DEFAULT_DOCKER_SOCKET}`)
      .optional(),
    ssh: z
      .object({
        privateKey: z.union([z.string(), z.instanceof(Buffer)], { error: "must be the key's text (PEM/OpenSSH) or a Buffer" }).optional(),
        passphrase: z.string().optional(),
        knownHostsFile: z.string().min(1, 'must be a path to a known_hosts file').optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

// The schema and the documented interface must describe the same options.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesInterface: Same<z.input<typeof ConnectOptionsSchema>, ConnectOptions> = true;
void schemaMatchesInterface;

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
  // Here, not only in connect(): `new DockerEngine(options)` must not ignore a typo either.
  const chosen = parseOrThrow(ConnectOptionsSchema, options, 'options');
  const explicit = chosen.socketPath ? `unix://${chosen.socketPath}` : chosen.host;
  if (explicit) return fromHost(explicit, 'option', envTls());
  if (process.env.DOCKER_HOST) return fromHost(process.env.DOCKER_HOST, 'DOCKER_HOST', envTls());
  const current = currentDockerContext();
  if (current) return { ...fromHost(current.context.host, current.chosenBy, contextTls(current.context)), context: current.context.name };
  const socketPath = defaultSockets().find((p) => existsSync(p)) ?? DEFAULT_DOCKER_SOCKET;
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

/** Why `host` names no daemon we can reach, or undefined. */
function hostProblem(host: string): string | undefined {
  if (host.startsWith('unix://')) return undefined;
  try {
    const url = new URL(host.includes('://') ? host : `tcp://${host}`);
    return ['tcp:', 'http:', 'https:', 'ssh:'].includes(url.protocol) && url.hostname ? undefined : HOST_FORMS;
  } catch {
    return HOST_FORMS;
  }
}

function fromHost(host: string, source: EngineChoice, tls: Tls): EngineTarget {
  // DOCKER_HOST and contexts are the caller's input too: a typo there is named like an option.
  const problem = hostProblem(host);
  if (problem)
    throw new InvalidInputError(
      source === 'option' ? 'options.host' : source === 'DOCKER_HOST' ? 'DOCKER_HOST' : 'docker context host',
      host,
      problem,
    );
  if (host.startsWith('unix://')) {
    const socketPath = host.slice('unix://'.length) || DEFAULT_DOCKER_SOCKET;
    return { endpoint: `unix://${socketPath}`, socketPath, source, dockerodeOptions: { socketPath } };
  }
  const url = new URL(host.includes('://') ? host : `tcp://${host}`);
  if (url.protocol === 'ssh:') {
    const ssh = { host: url.hostname, port: Number(url.port || 22), username: decodeURIComponent(url.username) || userName() };
    // Requests go through the engine's SshDialAgent; host and port only fill the HTTP request line.
    return {
      endpoint: `ssh://${ssh.username}@${ssh.host}:${ssh.port}`,
      socketPath: undefined,
      source,
      ssh,
      dockerodeOptions: { protocol: 'http', host: 'docker', port: 80 },
    };
  }
  const secure = tls.verify || url.port === '2376' || url.protocol === 'https:' || !!tls.certDir;
  const port = Number(url.port || (secure ? 2376 : 2375));
  const certs = tls.certDir ? readCerts(tls.certDir) : {};
  return {
    endpoint: `tcp://${url.hostname}:${port}`,
    socketPath: undefined,
    source,
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
  const sockets = [DEFAULT_DOCKER_SOCKET];
  if (process.env.XDG_RUNTIME_DIR) sockets.push(join(process.env.XDG_RUNTIME_DIR, 'docker.sock'));
  sockets.push(join(homedir(), '.docker', 'run', 'docker.sock'));
  return sockets;
}
