import { mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { bounded } from '../../lifecycle/bounded.js';
import { holdLock, lockIsStale, tryCreateLock } from '../../util/lock-file.js';

/**
 * The store's lock for one image (`locks/<key>.lock`), the same rule as the result cache's
 * (util/lock-file.ts): waiting is bounded by `signal`.
 */
export async function lockImage(dir: string, key: string, signal: AbortSignal): Promise<() => Promise<void>> {
  const path = join(dir, 'locks', `${key}.lock`);
  await mkdir(join(dir, 'locks'), { recursive: true });
  for (let delay = 10; ; delay = Math.min(delay * 2, 500)) {
    if (await bounded(tryCreateLock(path), signal, 'locking the image for its conversion')) return holdLock(path);
    if (await bounded(lockIsStale(path), signal, 'locking the image for its conversion')) {
      await unlink(path).catch(() => {});
      continue;
    }
    await bounded(sleep(delay), signal, 'waiting for another conversion of the image');
  }
}
