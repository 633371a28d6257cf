import { randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

const PREFIX = '.tooldock-staging-';
/** `<prefix><owner>-<pid>-<12 hex>`: the owner is in the name, so leftovers of a dead run can be told apart. */
const OWNED = /^\.tooldock-staging-(.+)-(\d+)-[0-9a-f]{12}$/;

/** A fresh name for the hidden directory where copied-back outputs wait until they are complete. */
export function stagingName(): string {
  return `${PREFIX}${owner()}-${process.pid}-${randomBytes(6).toString('hex')}`;
}

/** Staging directories of other runs are never copied into a tool container, nor back out of one. */
export function isStagingName(name: string): boolean {
  return name.startsWith(PREFIX);
}

/**
 * Removes staging directories in `dir` left by a process of this host (and pid namespace) that
 * died mid-copy (killed, crashed). Those of live processes, of other hosts or containers sharing
 * the directory, and unowned names (older versions) are kept. `rm` unlinks a symlink named like
 * one rather than following it.
 */
export async function removeStaleStaging(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const stale = names.filter((name) => {
    const owned = OWNED.exec(name);
    return owned !== null && owned[1] === owner() && Number(owned[2]) !== process.pid && !isAlive(Number(owned[2]));
  });
  // Best effort: a leftover that cannot be removed now costs only disk space, not correctness.
  await Promise.all(stale.map((name) => rm(join(dir, name), { recursive: true, force: true }).catch(() => {})));
}

let ownerName: string | undefined;

/**
 * Whose pids these are: the host, and on Linux its pid namespace too (a container sharing the
 * host's name and a volume with us has pids of its own that we cannot see, hence cannot judge).
 */
function owner(): string {
  if (ownerName === undefined) {
    const host = hostname().replace(/[^A-Za-z0-9.-]/g, '_') || 'unknown-host';
    let pidNamespace = '';
    try {
      pidNamespace = readlinkSync('/proc/self/ns/pid').replace(/\D/g, ''); // "pid:[4026531836]"
    } catch {
      // not Linux: the host alone
    }
    ownerName = pidNamespace ? `${host}~${pidNamespace}` : host;
  }
  return ownerName;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by another user
  }
}
