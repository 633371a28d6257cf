import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Leftovers (partial files, staging directories) carry who wrote them, so that a later run can
 * remove those of a writer that died — and only those it can judge: a pid means something only
 * on its own host and, on Linux, in its own pid namespace (a container sharing our host name and
 * a volume has pids we cannot see).
 */
let owner: string | undefined;

/** `<host>~<pid namespace>` (the host alone off Linux), safe in a file name. */
export function localOwner(): string {
  if (owner === undefined) {
    const host =
      hostname()
        .replace(/[^A-Za-z0-9.-]/g, '_')
        .slice(0, 32) || 'host';
    let namespace = '';
    try {
      namespace = /\d+/.exec(readlinkSync('/proc/self/ns/pid'))?.[0] ?? ''; // "pid:[4026531836]"
    } catch {
      // not Linux: the host alone
    }
    owner = namespace ? `${host}~${namespace}` : host;
  }
  return owner;
}

/** Whether `pid` may still run. A reused pid counts as alive: a stale leftover stays rather than a live one going. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH'; // EPERM: alive, someone else's
  }
}

/** True for a leftover written by a process of ours to judge (this host and namespace) that is gone. */
export function abandonedBy(writer: string, pid: number): boolean {
  return writer === localOwner() && pid !== process.pid && !processAlive(pid);
}
