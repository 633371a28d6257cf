import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultCacheDir } from '../util/environment.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { memoryToBytes } from '../api/options.js';
import { listEntries, type CacheEntryInfo } from './cache-entries.js';
import { CacheStore } from './cache-store.js';

/** A blob or temp file younger than this may belong to a call being stored right now. */
const IN_FLIGHT_MS = 60_000;

/** What a cache directory holds. */
export interface CacheInfo {
  dir: string;
  /** Cached calls, most recently used first. */
  entries: Array<Omit<CacheEntryInfo, 'blobs' | 'path' | 'entryBytes'>>;
  /** Bytes on disk: blobs (each stored once, however many calls share it) and entry files. */
  bytes: number;
}

/**
 * Lists a result cache: its calls (image, command, when stored and last used, their bytes) and
 * its size on disk. `dir` defaults to the default cache directory (`<TOOLDOCK_HOME>/cache`).
 *
 * @example
 * ```ts
 * import { cacheInfo } from '@tooldock/core/cache';
 * const { entries, bytes } = await cacheInfo();
 * console.log(`${entries.length} cached calls, ${(bytes / 2 ** 20).toFixed(1)} MiB`);
 * ```
 */
export async function cacheInfo(options: { dir?: string } = {}): Promise<CacheInfo> {
  const dir = options.dir ?? defaultCacheDir();
  const entries = (await listEntries(dir)).sort((a, b) => b.lastUsedAt.getTime() - a.lastUsedAt.getTime());
  const blobBytes = await directoryBytes(join(dir, 'blobs'));
  return {
    dir,
    entries: entries.map(({ blobs: _b, path: _p, entryBytes: _e, ...rest }) => rest),
    bytes: blobBytes + entries.reduce((sum, e) => sum + e.entryBytes, 0),
  };
}

/** What to prune. */
export interface PruneOptions {
  dir?: string;
  /** Remove calls not used for this long: milliseconds, or `"7d"`, `"12h"`, `"30m"`, `"90s"`. */
  olderThan?: number | string;
  /** Then remove the least recently used calls until the cache is at most this big: bytes or `"2g"`, `"500m"`. */
  maxSize?: number | string;
}

/**
 * Shrinks a result cache: by age of last use, then by size, least recently used first; blobs no
 * remaining call names are deleted. A call being served concurrently at worst misses (it re-runs
 * its tool): entries name blobs, and a hit checks them first.
 *
 * @example
 * ```ts
 * import { pruneCache } from '@tooldock/core/cache';
 * const { removed, freedBytes } = await pruneCache({ olderThan: '7d', maxSize: '2g' });
 * ```
 */
export async function pruneCache(options: PruneOptions = {}): Promise<{ removed: number; freedBytes: number }> {
  const dir = options.dir ?? defaultCacheDir();
  const olderThan = options.olderThan === undefined ? undefined : parseAge(options.olderThan);
  const maxSize = options.maxSize === undefined ? undefined : parseSize(options.maxSize);
  const before = (await cacheInfo({ dir })).bytes;
  const entries = (await listEntries(dir)).sort((a, b) => a.lastUsedAt.getTime() - b.lastUsedAt.getTime());
  const doomed = chooseVictims(entries, olderThan, maxSize);
  for (const entry of doomed) await unlink(entry.path).catch(() => {});
  await collectGarbage(
    dir,
    entries.filter((e) => !doomed.includes(e)),
  );
  return { removed: doomed.length, freedBytes: Math.max(0, before - (await cacheInfo({ dir })).bytes) };
}

/** Oldest first: those past the age, then as many as needed to fit `maxSize` (shared blobs counted once). */
function chooseVictims(oldestFirst: CacheEntryInfo[], olderThan: number | undefined, maxSize: number | undefined): CacheEntryInfo[] {
  const refs = new Map<string, { size: number; count: number }>();
  for (const e of oldestFirst) for (const b of e.blobs) refs.set(b.sha256, { size: b.size, count: (refs.get(b.sha256)?.count ?? 0) + 1 });
  let total = [...refs.values()].reduce((s, r) => s + r.size, 0) + oldestFirst.reduce((s, e) => s + e.entryBytes, 0);
  const cutoff = olderThan === undefined ? -Infinity : Date.now() - olderThan;
  const doomed: CacheEntryInfo[] = [];
  for (const entry of oldestFirst) {
    const tooOld = entry.lastUsedAt.getTime() < cutoff;
    if (!tooOld && (maxSize === undefined || total <= maxSize)) continue;
    doomed.push(entry);
    total -= entry.entryBytes;
    for (const b of entry.blobs) {
      const ref = refs.get(b.sha256)!;
      if (--ref.count === 0) total -= ref.size;
    }
  }
  return doomed;
}

/** Deletes blobs no remaining entry names, and leftovers in tmp/, unless they may be in flight. */
async function collectGarbage(dir: string, remaining: CacheEntryInfo[]): Promise<void> {
  const store = new CacheStore(dir);
  const named = new Set(remaining.flatMap((e) => e.blobs.map((b) => store.blobPath(b.sha256))));
  const root = join(dir, 'blobs', 'sha256');
  for (const shard of await readdir(root).catch(() => [] as string[])) {
    for (const name of await readdir(join(root, shard)).catch(() => [] as string[])) {
      const path = join(root, shard, name);
      if (!named.has(path)) await removeIfSettled(path);
    }
  }
  for (const name of await readdir(join(dir, 'tmp')).catch(() => [] as string[])) await removeIfSettled(join(dir, 'tmp', name));
}

async function removeIfSettled(path: string): Promise<void> {
  const stats = await stat(path).catch(() => undefined);
  if (stats && Date.now() - stats.mtimeMs > IN_FLIGHT_MS) await unlink(path).catch(() => {});
}

async function directoryBytes(root: string): Promise<number> {
  let total = 0;
  for (const shard of await readdir(join(root, 'sha256')).catch(() => [] as string[])) {
    for (const name of await readdir(join(root, 'sha256', shard)).catch(() => [] as string[])) {
      total += (await stat(join(root, 'sha256', shard, name)).catch(() => undefined))?.size ?? 0;
    }
  }
  return total;
}

const AGE = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/;
const AGE_UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** `"7d"` → milliseconds; a number is milliseconds already. */
export function parseAge(age: number | string): number {
  if (typeof age === 'number' && Number.isFinite(age) && age >= 0) return age;
  const match = typeof age === 'string' ? AGE.exec(age.trim()) : null;
  if (!match) throw new InvalidInputError('olderThan', age, 'must be milliseconds or an age such as "7d", "12h", "30m", "90s"');
  return Number(match[1]) * AGE_UNITS[match[2] as keyof typeof AGE_UNITS];
}

/** `"2g"` → bytes (the same forms as the memory option, without its minimum). */
export function parseSize(size: number | string): number {
  const bytes = memoryToBytes(size);
  if (Number.isNaN(bytes) || bytes < 0) throw new InvalidInputError('maxSize', size, 'must be bytes or a size such as "2g", "500m", "100k"');
  return bytes;
}
