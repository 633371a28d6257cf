import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@tooldock/core';
import { type DockerEngine } from '@tooldock/core/docker';
import { daemonAnswers, loadImageInto } from './daemon-host.js';
import { testImages } from './test-images.js';

/**
 * A second daemon inside a container of the shared one (DinD-like): its own filesystem, its
 * own hostname, reached over a unix socket in a bind-mounted host dir. `--privileged` fails on
 * this VM, so it gets the capability set TEST-ENV.md lists instead.
 */
export class DindDaemon {
  readonly dir = mkdtempSync(join(tmpdir(), 'tooldock-dind-'));
  readonly socket = join(this.dir, 'docker.sock');
  private containerId: string | undefined;

  get host(): string {
    return `unix://${this.socket}`;
  }

  engine(): DockerEngine {
    return connect({ host: this.host });
  }

  async start(): Promise<void> {
    const { dind } = testImages() as ReturnType<typeof testImages> & { dind: string };
    this.containerId = execFileSync(
      'docker',
      [
        'run',
        '-d',
        '--network',
        'none',
        '--label',
        'tooldock-test.dind=1',
        '--cap-add',
        'ALL',
        '--cap-drop',
        'SYS_RESOURCE',
        '--security-opt',
        'seccomp=unconfined',
        '--security-opt',
        'apparmor=unconfined',
        '--device-cgroup-rule',
        'a *:* rwm',
        '--cgroupns',
        'host',
        '-v',
        '/sys/fs/cgroup:/sys/fs/cgroup:rw',
        '-v',
        `${this.dir}:/sock`,
        '--mount',
        'type=volume,target=/var/lib/docker',
        dind,
        'dockerd',
        '--bridge=none',
        '--iptables=false',
        '--ip6tables=false',
        '-H',
        'unix:///sock/docker.sock',
      ],
      { encoding: 'utf8' },
    ).trim();
    if (await daemonAnswers(this.host, 60_000)) return;
    const logs = execFileSync('docker', ['logs', '--tail', '20', this.containerId], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    throw new Error(`the DinD daemon did not answer on ${this.socket} within 60 s:\n${logs}`);
  }

  /** Copies an image from the shared daemon into this one (no registry here). */
  loadImage(tag: string): void {
    loadImageInto(this.host, tag);
  }

  /** Removes the daemon's container with its data volume, and the socket dir. */
  destroy(): void {
    if (this.containerId) execFileSync('docker', ['rm', '-f', '-v', this.containerId], { stdio: 'ignore' });
    rmSync(this.dir, { recursive: true, force: true });
  }
}
