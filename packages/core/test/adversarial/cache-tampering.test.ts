import { readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTool } from '@tooldock/core';
import { CacheStore } from '../../src/cache/cache-store.js';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();

/** Every entry file of a cache directory. */
function entryFiles(dir: string): string[] {
  const root = join(dir, 'entries');
  return readdirSync(root).flatMap((shard) => readdirSync(join(root, shard)).map((name) => join(root, shard, name)));
}

function blobOf(dir: string, sha256: string): string {
  return join(dir, 'blobs', 'sha256', sha256.slice(0, 2), sha256.slice(2));
}

// Issue 23, item 2: the stored stdout blob was not checked on a hit (output-file blobs were):
// other bytes of the same size, or a link to a same-size file, were served with cached: true.
describe('a tampered cache never serves wrong bytes', () => {
  it('a stdout blob replaced by other bytes of the same size: not served (the tool runs again)', async () => {
    const dir = tempDir('cache');
    const args = ['sh', '-c', 'echo genuine-output'];
    expect((await runTool(busybox, args, [], { cache: dir })).cached).toBe(false);
    expect((await runTool(busybox, args, [], { cache: dir })).cached).toBe(true); // untouched: a hit
    const entry = JSON.parse(readFileSync(entryFiles(dir)[0]!, 'utf8')) as { stdout: { sha256: string } };
    const blob = blobOf(dir, entry.stdout.sha256);
    rmSync(blob, { force: true });
    writeFileSync(blob, 'FORGED-OUTPUT!\n');
    expect(statSync(blob).size).toBe('genuine-output\n'.length); // same size: only the hash can tell
    const again = await runTool(busybox, args, [], { cache: dir });
    expect(again.stdout).toBe('genuine-output\n');
    expect(again.cached).toBe(false);
  });

  it('a stdout blob swapped for a symlink to a same-size file: refused, also for a { file } sink', async () => {
    const dir = tempDir('cache');
    const out = tempDir('out');
    const args = ['sh', '-c', 'echo genuine-output'];
    await runTool(busybox, args, [], { cache: dir });
    expect((await runTool(busybox, args, [], { cache: dir })).cached).toBe(true);
    const entry = JSON.parse(readFileSync(entryFiles(dir)[0]!, 'utf8')) as { stdout: { sha256: string } };
    const forged = join(tempDir('forged'), 'f');
    writeFileSync(forged, 'FORGED-OUTPUT!\n');
    const blob = blobOf(dir, entry.stdout.sha256);
    rmSync(blob, { force: true });
    symlinkSync(forged, blob);
    const again = await runTool(busybox, args, [], { cache: dir, stdout: { file: join(out, 'x.txt') } });
    expect(again.cached).toBe(false);
    expect(readFileSync(join(out, 'x.txt'), 'utf8')).toBe('genuine-output\n');
  });

  it('an oversized entry file is refused by its size, without reading it', async () => {
    const dir = tempDir('cache');
    const store = new CacheStore(dir);
    const key = 'a'.repeat(64);
    const path = store.entryPath(key);
    await import('node:fs/promises').then((fs) => fs.mkdir(join(path, '..'), { recursive: true }));
    writeFileSync(path, '');
    truncateSync(path, 300 * 1024 * 1024); // sparse: 300 MB that reading would allocate
    let peak = 0;
    const before = process.memoryUsage().rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 1);
    try {
      expect(await store.readEntry(key)).toBeUndefined();
    } finally {
      clearInterval(sampler);
    }
    expect(peak - before).toBeLessThan(100 * 1024 * 1024);
  });

  it('blobs and entries are private: directories 0700, files 0600', async () => {
    const dir = join(tempDir('cache'), 'nested', 'cache');
    await runTool(busybox, ['sh', '-c', 'echo private-data'], [], { cache: dir });
    for (const sub of ['', 'blobs', 'blobs/sha256', 'entries', 'tmp']) expect(statSync(join(dir, sub)).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, '..')).mode & 0o777).toBe(0o700);
    expect(statSync(entryFiles(dir)[0]!).mode & 0o777).toBe(0o600);
    const shard = readdirSync(join(dir, 'blobs', 'sha256'))[0]!;
    for (const name of readdirSync(join(dir, 'blobs', 'sha256', shard)))
      expect(statSync(join(dir, 'blobs', 'sha256', shard, name)).mode & 0o777).toBe(0o600);
  });
});
