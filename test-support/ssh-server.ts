import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

/** The login for tests: a plain /bin/sh user in the docker group (root's rc files here take ~0.6 s). */
export const SSH_TEST_USER = 'tooldock-ssh';

/**
 * An sshd of the test's own on 127.0.0.1 (Debian's openssh-server): its own host key, one
 * client key allowed in for {@link SSH_TEST_USER}, and a known_hosts file that lists it —
 * nothing of the machine's own ssh setup is read or changed.
 */
export class SshServer {
  readonly dir = mkdtempSync(join(tmpdir(), 'tooldock-sshd-'));
  readonly clientKey = join(this.dir, 'client_ed25519');
  readonly knownHosts = join(this.dir, 'known_hosts');
  readonly log = join(this.dir, 'sshd.log');
  port = 0;
  private process: ChildProcess | undefined;

  async start(): Promise<void> {
    ensureTestUser();
    this.port = await freePort();
    const hostKey = join(this.dir, 'host_ed25519');
    for (const key of [hostKey, this.clientKey]) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    writeFileSync(join(this.dir, 'authorized_keys'), readFileSync(`${this.clientKey}.pub`));
    chmodSync(this.dir, 0o755); // sshd reads authorized_keys as the user (the keys stay 0600)
    const [type, blob] = readFileSync(`${hostKey}.pub`, 'utf8').split(' ');
    writeFileSync(this.knownHosts, `[127.0.0.1]:${this.port} ${type} ${blob}\n`);
    writeFileSync(
      join(this.dir, 'sshd_config'),
      [
        `ListenAddress 127.0.0.1:${this.port}`,
        `HostKey ${hostKey}`,
        `AuthorizedKeysFile ${join(this.dir, 'authorized_keys')}`,
        'PermitRootLogin no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        'LogLevel VERBOSE',
        `PidFile ${join(this.dir, 'sshd.pid')}`,
      ].join('\n'),
    );
    mkdirSync('/run/sshd', { recursive: true }); // its privilege-separation dir
    this.process = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(this.dir, 'sshd_config'), '-E', this.log], { stdio: 'ignore' });
    const started = Date.now();
    while (Date.now() - started < 10_000) {
      if (await listening(this.port)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`sshd did not listen on 127.0.0.1:${this.port}; see ${this.log}`);
  }

  /** How many ssh logins the server accepted so far. */
  logins(): number {
    return (readFileSync(this.log, 'utf8').match(/Accepted publickey/g) ?? []).length;
  }

  stop(): void {
    this.process?.kill('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function ensureTestUser(): void {
  try {
    execFileSync('id', [SSH_TEST_USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', [
      '--system',
      '--create-home',
      '--home-dir',
      `/var/lib/${SSH_TEST_USER}`,
      '--shell',
      '/bin/sh',
      '--groups',
      'docker',
      SSH_TEST_USER,
    ]);
  }
  // "*": no password, but not locked ("!"), which sshd without PAM would refuse.
  execFileSync('usermod', ['-p', '*', SSH_TEST_USER]);
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createServer().listen(port, '127.0.0.1');
    socket.once('listening', () => socket.close(() => resolve(false)));
    socket.once('error', () => resolve(true));
  });
}
