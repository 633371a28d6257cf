import { readFile, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { abandonedBy, localOwner } from './process-owner.js';

/** A holder refreshes its lock this often; one untouched for STALE_MS is a dead holder's (another host's, say). */
const REFRESH_MS = 10_000;
const STALE_MS = 60_000;

/**
 * The lock-file rule shared by the result cache (cache/cache-lock.ts) and the image store
 * (backends/image-store/store-lock.ts): a file created with O_EXCL holding `<owner>` and pid,
 * refreshed while held; broken at once when its holder was a process of this host that is gone,
 * after STALE_MS without a refresh otherwise (a holder on another node). Waiting is the caller's.
 */
export async function tryCreateLock(path: string, mode?: number): Promise<boolean> {
  try {
    await writeFile(path, JSON.stringify({ owner: localOwner(), pid: process.pid }), { flag: 'wx', ...(mode !== undefined ? { mode } : {}) });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** Whether the lock at `path` is a dead holder's (false when it is gone: released meanwhile, try again). */
export async function lockIsStale(path: string): Promise<boolean> {
  const stats = await stat(path).catch(() => undefined);
  if (!stats) return false;
  if (Date.now() - stats.mtimeMs > STALE_MS) return true;
  type Holder = { owner?: unknown; pid?: unknown };
  const holder = await readFile(path, 'utf8').then(
    (text) => (JSON.parse(text) ?? {}) as Holder,
    (): Holder => ({}),
  );
  return typeof holder.owner === 'string' && typeof holder.pid === 'number' && abandonedBy(holder.owner, holder.pid);
}

/** Keeps a created lock fresh; the returned function releases it. */
export function holdLock(path: string): () => Promise<void> {
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
