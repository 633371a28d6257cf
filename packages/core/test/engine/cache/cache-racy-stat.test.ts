import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { busybox, copyScript, counted, workFolder } from './cache-fixture.js';

// A coarse clock (NFS: whole seconds) is played by setting the mtime back to the same second
// after a same-size rewrite: the stat is then exactly what the cache recorded.
describe('result cache, stat mode, on a coarse clock', () => {
  /**
   * A whole-second mtime the entry's recording cannot have passed, however slow the machine: the
   * file server's clock ahead of ours (racy too). The same-tick boundary itself: racy-clock.test.ts.
   */
  function notYetPast(): Date {
    return new Date(Math.floor(Date.now() / 1000) * 1000 + 600_000);
  }

  function rewriteSameStat(path: string, content: string, mtime: Date): void {
    writeFileSync(path, content);
    utimesSync(path, mtime, mtime);
  }

  it('an input written in the tick the entry was recorded in is checked by content: a same-size rewrite re-runs', async () => {
    const f = workFolder('racy');
    const input = join(f.input, 'a.txt');
    const tick = notYetPast();
    utimesSync(input, tick, tick);
    const mounts = [f.input, `${f.out}:rw`];
    expect((await counted(busybox, copyScript(f), mounts, { cache: f.cache })).containers).toBe(1);
    rewriteSameStat(input, 'bravo\n', tick);
    const again = await counted(busybox, copyScript(f), mounts, { cache: f.cache });
    expect(again.containers).toBe(1);
    expect(readFileSync(join(f.out, 'b.txt'), 'utf8')).toBe('bravo\n');
    // Unchanged since: a hit (content checked, equal).
    expect((await counted(busybox, copyScript(f), mounts, { cache: f.cache })).containers).toBe(0);
  });

  it('an input older than the tick is trusted by size + mtime (what stat mode promises, and no more)', async () => {
    const f = workFolder('not-racy');
    const input = join(f.input, 'a.txt');
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(input, old, old);
    const mounts = [f.input, `${f.out}:rw`];
    expect((await counted(busybox, copyScript(f), mounts, { cache: f.cache })).containers).toBe(1);
    rewriteSameStat(input, 'bravo\n', old);
    expect((await counted(busybox, copyScript(f), mounts, { cache: f.cache })).containers).toBe(0);
  });

  it('a kept file of a writable mount written in that tick is checked by content too', async () => {
    const f = workFolder('racy-kept');
    const kept = join(f.out, 'config.txt');
    writeFileSync(kept, 'one\n');
    const tick = notYetPast();
    utimesSync(kept, tick, tick);
    const script = ['sh', '-c', `cat ${f.out}/config.txt > ${f.out}/b.txt`];
    const mounts = [`${f.out}:rw`];
    expect((await counted(busybox, script, mounts, { cache: f.cache })).containers).toBe(1);
    rewriteSameStat(kept, 'two\n', tick);
    expect((await counted(busybox, script, mounts, { cache: f.cache })).containers).toBe(1);
    expect(readFileSync(join(f.out, 'b.txt'), 'utf8')).toBe('two\n');
  });
});
