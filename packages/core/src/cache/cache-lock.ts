import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { bounded } from '../lifecycle/bounded.js';
import { ensureOwnDirectory, PRIVATE_FILE_MODE } from '../util/own-directory.js';
import { holdLock as holding, lockIsStale as stale, tryCreateLock } from '../util/lock-file.js';

/**
 * One lock file per key (`locks/<key>.lock`, created with O_EXCL, holding `<owner>` and pid), so
 * that two identical calls — in this process or in two processes sharing the cache directory —
 * run the tool once: the second waits, then finds the first one's entry. A lock whose holder
 * died is broken (util/lock-file.ts). Waiting is bounded by the call's cancel/timeout.
 */
export async function lockKey(dir: string, key: string, signal: AbortSignal): Promise<() => Promise<void>> {
  const path = join(dir, 'locks', `${key}.lock`);
  await ensureOwnDirectory(join(dir, 'locks'), signal);
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    if (await bounded(tryCreateLock(path, PRIVATE_FILE_MODE), signal, 'locking the cache entry')) return holding(path);
    if (await bounded(stale(path), signal, 'locking the cache entry')) {
      await unlink(path).catch(() => {}); // at worst a racing breaker runs the tool once more
      continue;
    }
    await bounded(sleep(delay), signal, 'waiting for an identical call to finish');
  }
}
