import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CacheEntry } from './cache-entry.js';
import { readEntryFile } from './cache-store.js';

/** One stored call as listed by `cacheInfo()` and `tooldock cache ls`. */
export interface CacheEntryInfo {
  key: string;
  image: string;
  command: string;
  createdAt: Date;
  /** Last served (or stored): what pruning by size goes by. */
  lastUsedAt: Date;
  /** Bytes of its blobs (stdout, stderr, outputs), counted once per blob. */
  bytes: number;
  /** Blobs it names, for pruning's reference counts. */
  blobs: Array<{ sha256: string; size: number }>;
  /** The entry file itself. */
  path: string;
  entryBytes: number;
}

/** Every readable entry in a cache directory (unreadable ones are skipped: a concurrent prune). */
export async function listEntries(dir: string): Promise<CacheEntryInfo[]> {
  const root = join(dir, 'entries');
  const infos: CacheEntryInfo[] = [];
  for (const shard of await readdir(root).catch(() => [] as string[])) {
    for (const name of await readdir(join(root, shard)).catch(() => [] as string[])) {
      if (!name.endsWith('.json')) continue;
      const info = await entryInfo(join(root, shard, name));
      if (info) infos.push(info);
    }
  }
  return infos;
}

async function entryInfo(path: string): Promise<CacheEntryInfo | undefined> {
  try {
    const [text, stats] = await Promise.all([readEntryFile(path), stat(path)]);
    if (text === undefined) return undefined;
    const entry = JSON.parse(text) as CacheEntry;
    const unique = new Map([entry.stdout, entry.stderr, ...entry.outputs].map((b) => [b.sha256, b.size]));
    return {
      key: entry.key,
      image: entry.result.image,
      command: entry.result.command,
      createdAt: new Date(entry.createdAt),
      lastUsedAt: stats.mtime,
      bytes: [...unique.values()].reduce((a, b) => a + b, 0),
      blobs: [...unique].map(([sha256, size]) => ({ sha256, size })),
      path,
      entryBytes: stats.size,
    };
  } catch {
    return undefined;
  }
}
