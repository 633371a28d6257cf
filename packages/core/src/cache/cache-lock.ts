import { readFile, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { bounded } from '../lifecycle/bounded.js';
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
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    if (await bounded(tryCreate(path), signal, 'locking the cache entry')) return holding(path);
    if (await bounded(stale(path), signal, 'locking the cache entry')) {
      await unlink(path).catch(() => {}); // at worst a racing breaker runs the tool once more
      continue;
    }
    await bounded(sleep(delay), signal, 'waiting for an identical call to finish');
  }
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
