import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { abandonedBy, localOwner } from '../../../util/process-owner.js';

const PREFIX = '.tooldock-staging-';
/** `<prefix><owner>-<pid>-<12 hex>`: the owner is in the name, so leftovers of a dead run can be told apart. */
const OWNED = /^\.tooldock-staging-(.+)-(\d+)-[0-9a-f]{12}$/;

/** A fresh name for the hidden directory where copied-back outputs wait until they are complete. */
export function stagingName(): string {
  return `${PREFIX}${localOwner()}-${process.pid}-${randomBytes(6).toString('hex')}`;
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
    return owned !== null && abandonedBy(owned[1]!, Number(owned[2]));
  });
  // Best effort: a leftover that cannot be removed now costs only disk space, not correctness.
  await Promise.all(stale.map((name) => rm(join(dir, name), { recursive: true, force: true }).catch(() => {})));
}
