import { mkdir, readFile, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { bounded } from '../../lifecycle/bounded.js';
import { abandonedBy, localOwner } from '../../util/process-owner.js';

/** A holder refreshes its lock this often; one untouched for STALE_MS is a dead holder's (another node's, say). */
const REFRESH_MS = 10_000;
const STALE_MS = 60_000;

/**
 * The store's lock for one image (`locks/<key>.lock`, created with O_EXCL, holding owner and pid,
 * refreshed while held), the same rule as the result cache's (cache/cache-lock.ts; backends may
 * not import the cache): broken at once when its holder was a process of this host that is gone,
 * after STALE_MS without a refresh otherwise. Waiting is bounded by `signal`.
 */
export async function lockImage(dir: string, key: string, signal: AbortSignal): Promise<() => Promise<void>> {
  const path = join(dir, 'locks', `${key}.lock`);
  await mkdir(join(dir, 'locks'), { recursive: true });
  for (let delay = 10; ; delay = Math.min(delay * 2, 500)) {
    try {
      await writeFile(path, JSON.stringify({ owner: localOwner(), pid: process.pid }), { flag: 'wx' });
      return held(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await stale(path)) {
      await unlink(path).catch(() => {});
      continue;
    }
    await bounded(sleep(delay), signal, 'waiting for another conversion of the image');
  }
}

async function stale(path: string): Promise<boolean> {
  const stats = await stat(path).catch(() => undefined);
  if (!stats) return false;
  if (Date.now() - stats.mtimeMs > STALE_MS) return true;
  const holder = await readFile(path, 'utf8').then((text) => JSON.parse(text) as { owner?: unknown; pid?: unknown }, () => ({}) as { owner?: unknown; pid?: unknown });
  return typeof holder.owner === 'string' && typeof holder.pid === 'number' && abandonedBy(holder.owner, holder.pid);
}

function held(path: string): () => Promise<void> {
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
