import { readFile, stat, unlink, utimes } from 'node:fs/promises';
import { abandonedBy } from './process-owner.js';

/** A holder refreshes its lock this often; one untouched for STALE_MS is a dead holder's (another host's, say). */
const REFRESH_MS = 10_000;
const STALE_MS = 60_000;

/**
 * The rule shared by tooldock's lock files (the result cache's, cache/cache-lock.ts; the image
 * store's, backends/image-store/store-lock.ts), each created with O_EXCL holding `{ owner, pid }`:
 * a lock is a dead holder's — and may be broken — at once when its holder was a process of this
 * host that is gone, after STALE_MS without a refresh otherwise. A lock released meanwhile is not stale.
 */
export async function staleLock(path: string): Promise<boolean> {
  const stats = await stat(path).catch(() => undefined);
  if (!stats) return false; // released meanwhile: try again
  if (Date.now() - stats.mtimeMs > STALE_MS) return true;
  type Holder = { owner?: unknown; pid?: unknown };
  const holder = await readFile(path, 'utf8').then((text) => (JSON.parse(text) ?? {}) as Holder, (): Holder => ({}));
  return typeof holder.owner === 'string' && typeof holder.pid === 'number' && abandonedBy(holder.owner, holder.pid);
}

/** Keeps a lock just taken fresh (its mtime) until the returned release removes it. */
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
