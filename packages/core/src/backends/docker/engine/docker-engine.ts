import http from 'node:http';
import https from 'node:https';
import { inspect } from 'node:util';
import Docker from 'dockerode';
import { ContainerClient } from './container-client.js';
import { DaemonErrors } from './daemon-error.js';
import { resolveEngineTarget, type ConnectOptions, type EngineTarget } from './engine-target.js';
import { ImageClient } from './image-client.js';
import { SshDialAgent } from './ssh-dial-agent.js';

export interface EngineVersion {
  Version: string;
  ApiVersion: string;
  Os?: string;
  Arch?: string;
  Components?: Array<{ Name: string; Version: string }>;
}

/**
 * One client per daemon, shared by every run: a keep-alive agent so calls reuse sockets,
 * cached version/info, and connection failures explained (see `EngineUnreachableError`, from `@tooldock/core`).
 * Get one with `connect()`.
 *
 * @example
 * ```ts
 * const engine = connect({ host: 'unix:///var/run/docker.sock' });
 * console.log((await engine.version()).ApiVersion);
 * ```
 */
export class DockerEngine {
  /** Tells engines apart without importing them (backends/registry.ts). */
  readonly kind = 'docker' as const;
  /** The dockerode client; use it for anything tooldock does not wrap. */
  readonly docker: Docker;
  /** Where the daemon is and how it was chosen. */
  readonly target: EngineTarget;
  /** The container calls tooldock makes (create, attach, wait, archives, kill, remove, …). */
  readonly containers: ContainerClient;
  /** The image calls tooldock makes (inspect, pull). */
  readonly images: ImageClient;
  private readonly errors: DaemonErrors;
  private versionPromise: Promise<EngineVersion> | undefined;
  private infoPromise: Promise<Record<string, unknown>> | undefined;

  constructor(options: ConnectOptions = {}) {
    this.target = resolveEngineTarget(options);
    this.docker = new Docker(this.target.dockerodeOptions);
    this.errors = new DaemonErrors(this.target);
    this.containers = new ContainerClient(this.docker, this.errors);
    this.images = new ImageClient(this.docker, this.errors);
    const modem = this.docker.modem as unknown as { agent?: http.Agent; protocol?: string };
    if (this.target.ssh) {
      modem.agent = new SshDialAgent(this.target.ssh, options.ssh);
      Object.defineProperty(modem.agent, inspect.custom, { value: () => `SshDialAgent(${this.target.endpoint})` });
    } else if (!modem.agent) {
      // Keep-alive: every run makes ~6 API calls; reusing sockets saves a connect each.
      const agent = modem.protocol === 'https' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
      // docker-modem runs util.inspect(requestOptions, { showHidden: true, depth: null }) on every
      // request, debug or not; walking a busy agent's sockets cost ~0.3 s of CPU per run at
      // concurrency 8. A one-line inspection keeps that free.
      Object.defineProperty(agent, inspect.custom, { value: () => `Agent(keep-alive, ${this.target.endpoint})` });
      modem.agent = agent;
    }
  }

  /** `unix:///path` or `tcp://host:port` / `ssh://…`, for messages. */
  get endpoint(): string {
    return this.target.endpoint;
  }

  /** Daemon version and API version (cached). */
  version(): Promise<EngineVersion> {
    this.versionPromise ??= this.call(() => this.docker.version() as Promise<EngineVersion>);
    this.versionPromise.catch(() => (this.versionPromise = undefined));
    return this.versionPromise;
  }

  /** `docker info` (cached): CPU count, security options, rootless, … */
  info(): Promise<Record<string, unknown>> {
    this.infoPromise ??= this.call(() => this.docker.info() as Promise<Record<string, unknown>>);
    this.infoPromise.catch(() => (this.infoPromise = undefined));
    return this.infoPromise;
  }

  /** Resolves when the daemon answers; rejects with an `EngineUnreachableError` (from `@tooldock/core`) otherwise. */
  async ping(): Promise<void> {
    await this.call(() => this.docker.ping());
  }

  /** Runs a daemon call, turning "could not connect" into an actionable error. */
  call<T>(fn: () => Promise<T>): Promise<T> {
    return this.errors.call(fn);
  }

  /** Turns a low-level connection failure into an `EngineUnreachableError` (from `@tooldock/core`); other errors pass through. */
  explain(error: unknown): unknown {
    return this.errors.explain(error);
  }
}

const shared = new Map<string, DockerEngine>();

/**
 * The shared client for a daemon. Resolution order: `options.host`/`options.socketPath` →
 * `DOCKER_HOST` → the default sockets (`/var/run/docker.sock`, rootless `$XDG_RUNTIME_DIR/docker.sock`).
 * Calls with the same target return the same instance. `connect()` (backends/connect.ts) calls it.
 */
export function connectDocker(options: ConnectOptions = {}): DockerEngine {
  // Validates the options too (InvalidInputError), before any client exists.
  const key = resolveEngineTarget(options).endpoint;
  let engine = shared.get(key);
  if (!engine) {
    engine = new DockerEngine(options);
    shared.set(key, engine);
  }
  return engine;
}
