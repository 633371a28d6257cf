import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

/**
 * Debian's `docker-registry` (distribution 2.8) with htpasswd auth, listening on 127.0.0.1 only,
 * with its own storage in a temp dir. Images are pushed with the docker CLI and a throwaway
 * DOCKER_CONFIG (never the user's). `stop()` ends the process and removes every file.
 * scripts/registry.sh installs the packages.
 */
export class TestRegistry {
  readonly dir = mkdtempSync(join(tmpdir(), 'tooldock-registry-'));
  readonly username = 'tooldock';
  readonly password = `pw-${randomBytes(12).toString('hex')}`;
  /** The CLI config used to push (logged in). */
  readonly pushConfig = join(this.dir, 'push-config');
  private process: ChildProcess | undefined;
  private port = 0;
  private output = '';

  /** `127.0.0.1:<port>`: the registry part of image references. */
  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.port = await freePort();
    const htpasswd = execFileSync('htpasswd', ['-Bbn', this.username, this.password], { encoding: 'utf8' });
    writeFileSync(join(this.dir, 'htpasswd'), htpasswd);
    writeFileSync(
      join(this.dir, 'config.yml'),
      [
        'version: 0.1',
        'log: { level: info }',
        `storage: { filesystem: { rootdirectory: ${join(this.dir, 'data')} }, delete: { enabled: true } }`,
        `http: { addr: "127.0.0.1:${this.port}", secret: ${randomBytes(8).toString('hex')} }`,
        `auth: { htpasswd: { realm: tooldock-test, path: ${join(this.dir, 'htpasswd')} } }`,
        '',
      ].join('\n'),
    );
    this.process = spawn('docker-registry', ['serve', join(this.dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const collect = (d: Buffer) => (this.output += d.toString());
    this.process.stdout!.on('data', collect);
    this.process.stderr!.on('data', collect);
    this.process.once('error', (error) => (this.output += `could not start docker-registry: ${error.message}\n`));
    if (!(await this.answers(15_000))) {
      this.stop();
      throw new Error(`docker-registry did not answer on ${this.host} within 15 s (run bash scripts/registry.sh):\n${this.output}`);
    }
    mkdirSync(this.pushConfig, { recursive: true });
    execFileSync('docker', ['--config', this.pushConfig, 'login', '-u', this.username, '--password-stdin', this.host], {
      input: this.password,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
  }

  /** Pushes a local image as `<host>/<repository>` and removes that tag from the daemon again. */
  push(localImage: string, repository: string): string {
    const reference = `${this.host}/${repository}`;
    execFileSync('docker', ['tag', localImage, reference]);
    execFileSync('docker', ['--config', this.pushConfig, 'push', reference], { stdio: 'ignore' });
    execFileSync('docker', ['rmi', reference], { stdio: 'ignore' });
    return reference;
  }

  /** Everything the registry logged so far (its access log included). */
  log(): string {
    return this.output;
  }

  stop(): void {
    if (this.process?.pid) {
      try {
        process.kill(-this.process.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    }
    this.process = undefined;
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async answers(withinMs: number): Promise<boolean> {
    const started = Date.now();
    while (Date.now() - started < withinMs) {
      try {
        const response = await fetch(`http://${this.host}/v2/`);
        if (response.status === 401) return true; // up, and asking for credentials
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }
}

/** A config dir (DOCKER_CONFIG) holding `config.json` with the given content. */
export function writeDockerConfig(dir: string, config: unknown): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

/** The `auths` entry the docker CLI writes on login: base64 of `user:password`. */
export function basicAuth(username: string, password: string): { auth: string } {
  return { auth: Buffer.from(`${username}:${password}`).toString('base64') };
}

/**
 * A `docker-credential-<name>` executable in `dir` speaking the helper protocol: `get` reads the
 * server URL on stdin and prints `{ServerURL, Username, Secret}`, or "credentials not found".
 * Each call appends the server URL it was asked for to `<dir>/<name>.calls`.
 */
export function writeCredentialHelper(dir: string, name: string, known: Record<string, { username: string; secret: string }>): string {
  mkdirSync(dir, { recursive: true });
  const cases = Object.entries(known)
    .map(
      ([server, c]) =>
        `  ${JSON.stringify(server)}) printf '%s' '${JSON.stringify({ ServerURL: server, Username: c.username, Secret: c.secret })}' ;;`,
    )
    .join('\n');
  const script = [
    '#!/bin/sh',
    '[ "$1" = get ] || { echo "unsupported: $1" >&2; exit 1; }',
    'read -r server',
    `printf '%s\\n' "$server" >> "${join(dir, `${name}.calls`)}"`,
    'case "$server" in',
    cases,
    '  *) echo "credentials not found in native keychain"; exit 1 ;;',
    'esac',
    '',
  ].join('\n');
  const file = join(dir, `docker-credential-${name}`);
  writeFileSync(file, script, { mode: 0o755 });
  return file;
}
