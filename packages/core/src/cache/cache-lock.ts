import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { bounded } from '../lifecycle/bounded.js';
import { pollUntil } from '../lifecycle/poll.js';
import { ensureOwnDirectory, PRIVATE_FILE_MODE } from '../util/own-directory.js';
import { holdLock, lockIsStale, tryCreateLock } from '../util/lock-file.js';

/**
 * One lock file per key (`locks/<key>.lock`, created with O_EXCL, holding `<owner>` and pid), so
 * that two identical calls — in this process or in two processes sharing the cache directory —
 * run the tool once: the second waits, then finds the first one's entry. A lock whose holder
 * died is broken (util/lock-file.ts). Waiting is bounded by the call's cancel/timeout.
 */
export async function lockKey(dir: string, key: string, signal: AbortSignal): Promise<() => Promise<void>> {
  const path = join(dir, 'locks', `${key}.lock`);
  await ensureOwnDirectory(join(dir, 'locks'), signal);
  // Waits of 10, 20, 40 … 200 ms between tries, for as long as the call's signal allows.
  await pollUntil(
    () => acquire(path, signal),
    (locked) => locked,
    { delayMs: (tries) => Math.min(10 * 2 ** (tries - 1), 200), signal, during: 'waiting for an identical call to finish' },
  );
  return holdLock(path);
}

/** One try: the lock is ours, or (a dead holder's lock broken) ours on a second try at once. */
async function acquire(path: string, signal: AbortSignal): Promise<boolean> {
  const create = () => bounded(tryCreateLock(path, PRIVATE_FILE_MODE), signal, 'locking the cache entry');
  if (await create()) return true;
  if (!(await bounded(lockIsStale(path), signal, 'locking the cache entry'))) return false;
  await unlink(path).catch(() => {}); // at worst a racing breaker runs the tool once more
  return await create();
}
