import { mkdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { bounded } from '../../lifecycle/bounded.js';
import { holdLock, staleLock } from '../../util/lock-file.js';
import { localOwner } from '../../util/process-owner.js';

/**
 * The store's lock for one image (`locks/<key>.lock`, created with O_EXCL, holding owner and pid,
 * refreshed while held), with the result cache's rule (util/lock-file.ts): broken at once when
 * its holder was a process of this host that is gone, after a minute without a refresh otherwise.
 * Waiting is bounded by `signal`.
 */
export async function lockImage(dir: string, key: string, signal: AbortSignal): Promise<() => Promise<void>> {
  const path = join(dir, 'locks', `${key}.lock`);
  await mkdir(join(dir, 'locks'), { recursive: true });
  for (let delay = 10; ; delay = Math.min(delay * 2, 500)) {
    try {
      await writeFile(path, JSON.stringify({ owner: localOwner(), pid: process.pid }), { flag: 'wx' });
      return holdLock(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await staleLock(path)) {
      await unlink(path).catch(() => {});
      continue;
    }
    await bounded(sleep(delay), signal, 'waiting for another conversion of the image');
  }
}
