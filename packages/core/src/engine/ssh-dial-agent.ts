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
 * as the docker CLI does — but over **one** ssh connection per engine, each request on its own
 * channel, instead of docker-modem's handshake per API call (~6 per run).
 */
export class SshDialAgent extends http.Agent {
  private client: Promise<Client> | undefined;
  private channels = 0;
  private idle: NodeJS.Timeout | undefined;

  constructor(private readonly target: SshTarget, private readonly options: SshOptions = {}) {
    super({ keepAlive: false });
  }

  override createConnection(_options: unknown, callback: (error: Error | null, socket?: Duplex) => void): undefined {
    this.open().then(
      (socket) => callback(null, socket),
      (error: Error) => callback(error),
    );
    return undefined;
  }

  /** A fresh duplex to the daemon (also used for hijacked attach connections). */
  async open(): Promise<Duplex> {
    const client = await this.connected();
    clearTimeout(this.idle);
    this.channels++;
    return new Promise((resolve, reject) => {
      client.exec('docker system dial-stdio', (error, channel) => {
        if (error) {
          this.release();
          return reject(new Error(`ssh ${this.target.username}@${this.target.host}: cannot run \`docker system dial-stdio\` there (${error.message}); the remote user needs the docker CLI and access to the daemon`));
        }
        channel.once('close', () => this.release());
        resolve(channel as unknown as Duplex);
      });
    });
  }

  private release(): void {
    if (--this.channels > 0) return;
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.close(), IDLE_MS);
  }

  /** Ends the shared connection (the next request opens a new one). */
  close(): void {
    const client = this.client;
    this.client = undefined;
    void client?.then((c) => c.end(), () => {});
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
      host, port, username,
      ...credentials(this.options),
      hostVerifier: (key: Buffer) => !(rejectedKey = !isKnownHostKey(knownHosts, host, port, key)),
    };
    return new Promise((resolve, reject) => {
      const client = new Client();
      client.once('ready', () => resolve(client));
      client.once('error', (error) => {
        reject(rejectedKey
          ? new Error(`ssh://${host}:${port}: its host key is not in ${knownHosts}; connect once with \`ssh -p ${port} ${username}@${host}\` to check and add it`, { cause: error })
          : new Error(`ssh://${username}@${host}:${port}: ${error.message}`, { cause: error }));
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
