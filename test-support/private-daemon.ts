import { afterAll, beforeAll } from 'vitest';
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@tooldock/core';
import { type DockerEngine } from '@tooldock/core/docker';
import { daemonAnswers, loadImageInto } from './daemon-host.js';

/**
 * A dockerd of the test's own — own socket, data root, exec root and pid file, no bridge —
 * that the test may kill and restart without touching the shared daemon.
 */
export class PrivateDaemon {
  readonly dir = mkdtempSync(join(tmpdir(), 'tooldock-dockerd-'));
  readonly socket = join(this.dir, 'docker.sock');
  private process: ChildProcess | undefined;

  /**
   * `extraHosts`: more `-H` listeners, e.g. `tcp://127.0.0.1:23750` (loopback only);
   * `extraArgs`: more dockerd flags (e.g. `--tlsverify` and its certificates).
   */
  constructor(
    private readonly extraHosts: string[] = [],
    private readonly extraArgs: string[] = [],
  ) {}

  get host(): string {
    return `unix://${this.socket}`;
  }

  /** A fresh client (the shared `connect()` cache would keep a dead agent's sockets). */
  engine(): DockerEngine {
    return connect({ host: this.host });
  }

  async start(): Promise<void> {
    // After a crash the dead containerd may linger as a zombie that dockerd takes for alive.
    rmSync(join(this.dir, 'exec', 'containerd', 'containerd.pid'), { force: true });
    this.process = spawn(
      'dockerd',
      [
        '-H',
        this.host,
        ...this.extraHosts.flatMap((h) => ['-H', h]),
        '--data-root',
        join(this.dir, 'data'),
        '--exec-root',
        join(this.dir, 'exec'),
        '--pidfile',
        join(this.dir, 'dockerd.pid'),
        '--bridge=none',
        '--iptables=false',
        '--ip6tables=false',
        ...this.extraArgs,
      ],
      { stdio: ['ignore', this.log(), this.log()], detached: true },
    );
    if (await daemonAnswers(this.host, 60_000)) return;
    throw new Error(`private dockerd on ${this.socket} did not answer within 60 s; see ${join(this.dir, 'dockerd.log')}`);
  }

  private log(): number {
    return openSync(join(this.dir, 'dockerd.log'), 'a');
  }

  /** Copies an image from the shared daemon into this one. */
  loadImage(tag: string): void {
    loadImageInto(this.host, tag);
  }

  /** SIGKILL of dockerd and its containerd: the daemon vanishes mid-call, as in a crash. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
    killProcessesMentioning(join(this.dir, 'exec', 'containerd', 'containerd.toml'));
  }

  /** SIGSTOP: the daemon keeps its sockets open but answers nothing, as a hung daemon does. */
  freeze(): void {
    this.process?.kill('SIGSTOP');
  }

  /** SIGCONT after {@link freeze}. */
  thaw(): void {
    this.process?.kill('SIGCONT');
  }

  /** Graceful stop, and removal of everything it stored. */
  async destroy(): Promise<void> {
    this.thaw();
    if (this.process && this.process.exitCode === null && this.process.signalCode === null) {
      try {
        execSync(`docker -H ${this.host} rm -f $(docker -H ${this.host} ps -aq) 2>/dev/null || true`, { stdio: 'ignore', shell: '/bin/bash' });
      } catch {
        /* best effort */
      }
      await this.signal('SIGTERM');
    }
    // A killed daemon leaves containerd and shims behind: stop everything under our dirs.
    killProcessesMentioning(this.dir);
    execSync(`grep ' ${this.dir}' /proc/mounts | cut -d' ' -f2 | sort -r | xargs -r umount -l || true`, { stdio: 'ignore', shell: '/bin/bash' });
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}

/** SIGKILLs every process whose command line mentions `text` (pkill -f would match our shell). */
function killProcessesMentioning(text: string): void {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (Number(pid) !== process.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text)) process.kill(Number(pid), 'SIGKILL');
    } catch {
      /* gone already */
    }
  }
}

/**
 * A {@link PrivateDaemon} for the enclosing suite: started (with `images` loaded from the shared
 * daemon) before its tests, destroyed after them (`KEEP_DAEMON=1` keeps it, to look at its log).
 */
export function usePrivateDaemon(images: string[], extraHosts: string[] = [], extraArgs: string[] = []): PrivateDaemon {
  const daemon = new PrivateDaemon(extraHosts, extraArgs);
  beforeAll(async () => {
    await daemon.start();
    for (const image of images) daemon.loadImage(image);
  }, 120_000);
  afterAll(async () => {
    if (process.env.KEEP_DAEMON !== '1') await daemon.destroy();
  }, 120_000);
  return daemon;
}
