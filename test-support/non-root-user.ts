import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';

/** The unprivileged account the adversarial suite also runs as: no home, no shell, in the socket's group. */
export const NON_ROOT_USER = 'tooldock-nonroot';

/**
 * Creates {@link NON_ROOT_USER} (idempotent; needs root) as a member of the group owning
 * `/var/run/docker.sock` — the least-privilege set-up the DooD guides recommend — and returns its ids.
 */
export function ensureNonRootUser(): { uid: number; gid: number; socketGid: number } {
  const socketGid = statSync('/var/run/docker.sock').gid;
  try {
    execFileSync('id', ['-u', NON_ROOT_USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', NON_ROOT_USER], { stdio: 'ignore' });
  }
  const group = execFileSync('getent', ['group', String(socketGid)], { encoding: 'utf8' }).split(':')[0]!;
  execFileSync('usermod', ['-aG', group, NON_ROOT_USER], { stdio: 'ignore' });
  const id = (flag: string) => Number(execFileSync('id', [flag, NON_ROOT_USER], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g'), socketGid };
}
