import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { daemonAnswers, loadImageInto } from './daemon-host.js';

/** The unprivileged user scripts/rootless.sh prepares; the rootless engines run as this user. */
export const ROOTLESS_USER = 'tooldock-rootless';

/** The user's ids, home and runtime dir; throws, naming the set-up script, when it is missing. */
export function rootlessUser(): { uid: number; gid: number; home: string; runtimeDir: string } {
  let entry: string;
  try {
    entry = execFileSync('getent', ['passwd', ROOTLESS_USER], { encoding: 'utf8' });
  } catch {
    throw new Error(`no user ${ROOTLESS_USER}: run bash scripts/rootless.sh (npm test does)`);
  }
  const [, , uid, gid, , home] = entry.trim().split(':');
  const runtimeDir = `/run/user/${uid}`;
  if (!existsSync(runtimeDir) || !readFileSync('/etc/subuid', 'utf8').includes(`${ROOTLESS_USER}:`)) {
    throw new Error(`${ROOTLESS_USER} has no runtime dir or subordinate uids: run bash scripts/rootless.sh`);
  }
  return { uid: Number(uid), gid: Number(gid), home: home!, runtimeDir };
}

/**
 * A rootless engine started by the test as {@link ROOTLESS_USER}: `podman system service`, or
 * `dockerd-rootless.sh` (RootlessKit + slirp4netns; tool containers use no network). One that
 * already answers on the socket is used and left running; one started here is stopped here.
 */
export class RootlessEngine {
  private process: ChildProcess | undefined;
  private log = '';
  readonly socket: string;

  constructor(readonly kind: 'podman' | 'docker') {
    const { runtimeDir } = rootlessUser();
    this.socket = kind === 'podman' ? `${runtimeDir}/podman/podman.sock` : `${runtimeDir}/docker.sock`;
  }

  get host(): string {
    return `unix://${this.socket}`;
  }

  async start(image: string): Promise<void> {
    if (!(await daemonAnswers(this.host, 1000))) {
      const { home, runtimeDir } = rootlessUser();
      const contrib = '/usr/share/docker.io/contrib';
      const command =
        this.kind === 'podman'
          ? `mkdir -p ${runtimeDir}/podman && exec podman system service --time=0 ${this.host}`
          : `exec dockerd-rootless.sh --bridge=none --iptables=false --ip6tables=false -H ${this.host}`;
      // setsid: its own process group, so that stop() ends RootlessKit, dockerd and containerd together.
      this.process = spawn(
        'setsid',
        [
          'runuser',
          '-u',
          ROOTLESS_USER,
          '--',
          'env',
          `HOME=${home}`,
          `XDG_RUNTIME_DIR=${runtimeDir}`,
          `PATH=${contrib}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
          'sh',
          '-c',
          command,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      this.process.stderr!.on('data', (d: Buffer) => (this.log = (this.log + d.toString()).slice(-4000)));
      if (!(await daemonAnswers(this.host, 60_000))) {
        this.stop();
        throw new Error(`rootless ${this.kind} did not answer on ${this.socket} within 60 s:\n${this.log}`);
      }
    }
    // Root reads the user's socket: the image goes from the shared daemon to the user's storage.
    loadImageInto(this.host, image);
  }

  stop(): void {
    const pid = this.process?.pid;
    if (!pid) return;
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      /* gone */
    }
    this.process = undefined;
    // Rootless Podman keeps a pause process (catatonit) holding its user namespace: ours too.
    if (this.kind === 'podman') {
      try {
        process.kill(Number(readFileSync(`${rootlessUser().runtimeDir}/libpod/tmp/pause.pid`, 'utf8').trim()), 'SIGTERM');
      } catch {
        /* none */
      }
    }
  }
}
