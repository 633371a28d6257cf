import { readFile, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bounded } from '../lifecycle/bounded.js';
import { pollUntil } from '../lifecycle/poll.js';
import { ensureOwnDirectory, PRIVATE_FILE_MODE } from '../util/own-directory.js';
import { abandonedBy, localOwner } from '../util/process-owner.js';

/** A holder refreshes its lock this often; one untouched for STALE_MS is a dead holder's (another host's, say). */
const REFRESH_MS = 10_000;
const STALE_MS = 60_000;

/**
 * One lock file per key (`locks/<key>.lock`, created with O_EXCL, holding `<owner>` and pid), so
 * that two identical calls — in this process or in two processes sharing the cache directory —
 * run the tool once: the second waits, then finds the first one's entry. A lock whose holder
 * died is broken: at once when it was a process of this host (its pid is gone), after STALE_MS
 * without a refresh otherwise. Waiting is bounded by the call's cancel/timeout.
 */
export async function lockKey(dir: string, key: string, signal: AbortSignal): Promise<() => Promise<void>> {
  const path = join(dir, 'locks', `${key}.lock`);
  await ensureOwnDirectory(join(dir, 'locks'), signal);
  // Waits of 10, 20, 40 … 200 ms between tries, for as long as the call's signal allows.
  await pollUntil(() => acquire(path, signal), (locked) => locked, { delayMs: (tries) => Math.min(10 * 2 ** (tries - 1), 200), signal, during: 'waiting for an identical call to finish' });
  return holding(path);
}

/** One try: the lock is ours, or (a dead holder's lock broken) ours on a second try at once. */
async function acquire(path: string, signal: AbortSignal): Promise<boolean> {
  if (await bounded(tryCreate(path), signal, 'locking the cache entry')) return true;
  if (!(await bounded(stale(path), signal, 'locking the cache entry'))) return false;
  await unlink(path).catch(() => {}); // at worst a racing breaker runs the tool once more
  return await bounded(tryCreate(path), signal, 'locking the cache entry');
}

async function tryCreate(path: string): Promise<boolean> {
  try {
    await writeFile(path, JSON.stringify({ owner: localOwner(), pid: process.pid }), { flag: 'wx', mode: PRIVATE_FILE_MODE });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function stale(path: string): Promise<boolean> {
  const stats = await stat(path).catch(() => undefined);
  if (!stats) return false; // released meanwhile: try again
  if (Date.now() - stats.mtimeMs > STALE_MS) return true;
  type Holder = { owner?: unknown; pid?: unknown };
  const holder = await readFile(path, 'utf8').then((text) => (JSON.parse(text) ?? {}) as Holder, (): Holder => ({}));
  return typeof holder.owner === 'string' && typeof holder.pid === 'number' && abandonedBy(holder.owner, holder.pid);
}

function holding(path: string): () => Promise<void> {
  const refresh = setInterval(() => {
    const now = new Date();
    utimes(path, now, now).catch(() => {});
  }, REFRESH_MS);
  refresh.unref();
  return async () => {
    clearInterval(refresh);
    await unlink(path).catch(() => {});
  };
}
