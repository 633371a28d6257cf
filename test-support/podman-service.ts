import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@tooldock/core';
import { type DockerEngine } from '@tooldock/core/docker';
import { daemonAnswers, loadImageInto } from './daemon-host.js';

/**
 * Podman's Docker-compatible API (`podman system service`) with its own storage, run root and
 * containers.conf — the machine's Podman setup is neither read nor changed. On this kernel
 * containers need `default_ulimits = []` (TEST-ENV.md).
 */
export class PodmanService {
  readonly dir = mkdtempSync(join(tmpdir(), 'tooldock-podman-'));
  readonly socket = join(this.dir, 'podman.sock');
  private process: ChildProcess | undefined;

  get host(): string {
    return `unix://${this.socket}`;
  }

  engine(): DockerEngine {
    return connect({ host: this.host });
  }

  private podman(): string {
    return `podman --root ${this.dir}/root --runroot ${this.dir}/run`;
  }

  async start(): Promise<void> {
    const conf = join(this.dir, 'containers.conf');
    writeFileSync(conf, '[containers]\ndefault_ulimits = []\n');
    this.process = spawn('sh', ['-c', `exec ${this.podman()} system service --time=0 ${this.host}`], {
      env: { ...process.env, CONTAINERS_CONF: conf },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    let log = '';
    this.process.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    if (await daemonAnswers(this.host, 30_000)) {
      // Let the tests' unprivileged callers use it, as a docker group would.
      chmodSync(this.dir, 0o755);
      chmodSync(this.socket, 0o666);
      return;
    }
    throw new Error(`podman system service did not answer on ${this.socket} within 30 s:\n${log}`);
  }

  loadImage(tag: string): void {
    loadImageInto(this.host, tag);
  }

  /** Containers Podman still has (all states). */
  containers(): string[] {
    return execSync(`docker -H ${this.host} ps -aq`, { encoding: 'utf8' }).split('\n').filter(Boolean);
  }

  stop(): void {
    if (this.process?.pid) {
      try {
        process.kill(-this.process.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    }
    try {
      execSync(`${this.podman()} rm -af >/dev/null 2>&1; ${this.podman()} system reset -f >/dev/null 2>&1 || true`, {
        shell: '/bin/bash',
        stdio: 'ignore',
        timeout: 60_000,
      });
    } catch {
      /* best effort */
    }
    execSync(`grep ' ${this.dir}' /proc/mounts | cut -d' ' -f2 | sort -r | xargs -r umount -l || true`, { stdio: 'ignore', shell: '/bin/bash' });
    rmSync(this.dir, { recursive: true, force: true });
  }
}
