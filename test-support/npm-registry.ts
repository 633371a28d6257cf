import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './built-packages.js';
import { freePort } from './free-port.js';

/**
 * A real npm registry for the publish-and-install tests: verdaccio (a pinned devDependency)
 * listening on 127.0.0.1 only, with a throwaway storage dir and htpasswd auth (publishing needs
 * a user; reading is open). Packages it does not hold are proxied from the npm registry npm is
 * configured with, so npm itself talks only to 127.0.0.1. `stop()` ends the process and removes
 * every file, the auth token with them.
 */
export class TestNpmRegistry {
  readonly dir = mkdtempSync(join(tmpdir(), 'tooldock-npm-registry-'));
  /** A user config holding the publish token (never the user's own ~/.npmrc). */
  readonly publishConfig = join(this.dir, 'publish.npmrc');
  private process: ChildProcess | undefined;
  private port = 0;
  private output = '';

  /** `http://127.0.0.1:<port>/` */
  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  async start(): Promise<void> {
    this.port = await freePort();
    const uplink = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim();
    writeFileSync(
      join(this.dir, 'config.yaml'),
      [
        `storage: ${join(this.dir, 'storage')}`,
        `auth: { htpasswd: { file: ${join(this.dir, 'htpasswd')} } }`,
        `uplinks: { upstream: { url: ${JSON.stringify(uplink)}, timeout: 60s, maxage: 30m } }`,
        'packages:',
        "  '@tooldock/*': { access: $all, publish: $authenticated }",
        "  '**': { access: $all, publish: $authenticated, proxy: upstream }",
        // The UI and the audit plugin are not needed; a test wants warnings only.
        'web: { enable: false }',
        'middlewares: { audit: { enabled: false } }',
        'log: { type: stdout, format: pretty, level: warn }',
        '',
      ].join('\n'),
    );
    const bin = join(repoRoot, 'node_modules', 'verdaccio', 'bin', 'verdaccio');
    this.process = spawn(process.execPath, [bin, '--config', join(this.dir, 'config.yaml'), '--listen', `127.0.0.1:${this.port}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const collect = (d: Buffer) => (this.output += d.toString());
    this.process.stdout!.on('data', collect);
    this.process.stderr!.on('data', collect);
    this.process.once('error', (error) => (this.output += `could not start verdaccio: ${error.message}\n`));
    if (!(await this.answers(30_000))) {
      this.stop();
      throw new Error(`verdaccio did not answer on ${this.url} within 30 s (pnpm install puts it in node_modules):\n${this.output}`);
    }
    const token = await this.addUser('tooldock', `pw-${randomBytes(12).toString('hex')}`);
    const hostPath = this.url.replace(/^http:/, '');
    writeFileSync(this.publishConfig, `registry=${this.url}\n${hostPath}:_authToken=${token}\n`, { mode: 0o600 });
  }

  /** verdaccio's output so far (for a failing test's message). */
  log(): string {
    return this.output;
  }

  /** Ends verdaccio (its whole process group) and removes its storage. */
  stop(): void {
    if (this.process?.pid && this.process.exitCode === null) {
      try {
        process.kill(-this.process.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Creates a user the way `npm adduser` does; returns its token. */
  private async addUser(name: string, password: string): Promise<string> {
    const response = await fetch(`${this.url}-/user/org.couchdb.user:${name}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, password }),
      signal: AbortSignal.timeout(15_000),
    });
    const body = (await response.json()) as { token?: string; error?: string };
    if (!response.ok || !body.token) throw new Error(`verdaccio refused the test user: ${response.status} ${body.error ?? ''}`);
    return body.token;
  }

  private async answers(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && this.process?.exitCode === null) {
      try {
        const response = await fetch(`${this.url}-/ping`, { signal: AbortSignal.timeout(2_000) });
        if (response.ok) return true;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    return false;
  }
}
