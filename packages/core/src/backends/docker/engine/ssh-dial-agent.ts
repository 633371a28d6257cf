import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { Client, type ConnectConfig } from 'ssh2';
import { isKnownHostKey } from './known-hosts.js';

/** How to log in to a daemon's host over ssh (defaults as the ssh client has them). */
export interface SshOptions {
  /** Private key (PEM/OpenSSH text); default: `SSH_AUTH_SOCK`'s agent, else `~/.ssh/id_ed25519`, `id_ecdsa`, `id_rsa`. */
  privateKey?: string | Buffer;
  passphrase?: string;
  /** known_hosts file the host key must be in; default `~/.ssh/known_hosts`. */
  knownHostsFile?: string;
}

export interface SshTarget {
  host: string;
  port: number;
  username: string;
}

/** Idle time after which the shared connection is closed, so a finished script can exit. */
const IDLE_MS = 500;

/**
 * An HTTP agent that reaches the daemon through `docker system dial-stdio` on the remote host,
 * as the docker CLI does — but over **one** ssh connection per engine, with keep-alive channels
 * (one remote dial-stdio serves many requests), instead of docker-modem's handshake per API call.
 */
export class SshDialAgent extends http.Agent {
  private client: Promise<Client> | undefined;
  /** Open channels, and those of them idle in the keep-alive pool. */
  private channels = new Set<Duplex>();
  private pooled = new Set<Duplex>();
  private idle: NodeJS.Timeout | undefined;

  constructor(
    private readonly target: SshTarget,
    private readonly options: SshOptions = {},
  ) {
    // Keep-alive: a channel (and its remote dial-stdio process) serves many requests.
    super({ keepAlive: true });
  }

  override createConnection(_options: unknown, callback: (error: Error | null, socket?: Duplex) => void): undefined {
    this.open().then(
      (socket) => callback(null, socket),
      (error: Error) => callback(error),
    );
    return undefined;
  }

  // Pooling is tracked here, so the connection closes once nothing is in flight and a finished
  // script can exit (a channel cannot be unref'd like a TCP socket).
  override keepSocketAlive(socket: Duplex): void {
    this.pooled.add(socket);
    this.settle();
    // @types/node says void; Node returns whether the socket is kept.
    return super.keepSocketAlive(socket as never);
  }

  override reuseSocket(socket: Duplex, request: http.ClientRequest): void {
    this.pooled.delete(socket);
    clearTimeout(this.idle);
    super.reuseSocket(socket as never, request);
  }

  /** A fresh duplex to the daemon (also used for hijacked attach connections). */
  async open(): Promise<Duplex> {
    clearTimeout(this.idle);
    const client = await this.connected();
    return new Promise((resolve, reject) => {
      client.exec('docker system dial-stdio', (error, stream) => {
        if (error) {
          this.settle();
          return reject(
            new Error(
              `ssh ${this.target.username}@${this.target.host}: cannot run \`docker system dial-stdio\` there (${error.message}); the remote user needs the docker CLI and access to the daemon`,
            ),
          );
        }
        // What http.Agent's keep-alive calls on a TCP socket; a channel has no such knobs.
        const channel = Object.assign(stream as unknown as Duplex, { setKeepAlive() {}, setTimeout() {}, ref() {}, unref() {} });
        this.channels.add(channel);
        channel.once('close', () => {
          this.channels.delete(channel);
          this.pooled.delete(channel);
          this.settle();
        });
        resolve(channel);
      });
    });
  }

  /** Nothing in flight: close everything after a short idle time. */
  private settle(): void {
    if (this.channels.size > this.pooled.size) return;
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.close(), IDLE_MS);
  }

  /** Ends the shared connection (the next request opens a new one). */
  close(): void {
    clearTimeout(this.idle);
    this.destroy(); // the pooled channels
    const client = this.client;
    this.client = undefined;
    void client?.then(
      (c) => c.end(),
      () => {},
    );
  }

  private connected(): Promise<Client> {
    if (!this.client) {
      const client = this.connect();
      this.client = client;
      // A connection the server dropped (or that failed) is not reused.
      const forget = () => {
        if (this.client === client) this.client = undefined;
      };
      client.then((c) => c.once('close', forget), forget);
    }
    return this.client;
  }

  private connect(): Promise<Client> {
    const { host, port, username } = this.target;
    const knownHosts = this.options.knownHostsFile ?? join(homedir(), '.ssh', 'known_hosts');
    let rejectedKey = false;
    const config: ConnectConfig = {
      host,
      port,
      username,
      ...credentials(this.options),
      hostVerifier: (key: Buffer) => !(rejectedKey = !isKnownHostKey(knownHosts, host, port, key)),
    };
    return new Promise((resolve, reject) => {
      const client = new Client();
      client.once('ready', () => resolve(client));
      client.once('error', (error) => {
        reject(
          rejectedKey
            ? new Error(
                `ssh://${host}:${port}: its host key is not in ${knownHosts}; connect once with \`ssh -p ${port} ${username}@${host}\` to check and add it`,
                { cause: error },
              )
            : new Error(`ssh://${username}@${host}:${port}: ${error.message}`, { cause: error }),
        );
      });
      client.connect(config);
    });
  }
}

function credentials(options: SshOptions): Partial<ConnectConfig> {
  if (options.privateKey) return { privateKey: options.privateKey, passphrase: options.passphrase };
  const agent = process.env.SSH_AUTH_SOCK;
  const key = ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((n) => join(homedir(), '.ssh', n)).find((f) => existsSync(f));
  return { ...(agent ? { agent } : {}), ...(key ? { privateKey: readFileSync(key), passphrase: options.passphrase } : {}) };
}
