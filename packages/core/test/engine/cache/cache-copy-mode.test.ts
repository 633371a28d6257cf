import { lstatSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useCopyMode } from '#test-support/use-copy-mode.js';
import { busybox, copyScript, counted, workFolder } from './cache-fixture.js';

describe('result cache in copy mode (a daemon sharing no files)', () => {
  useCopyMode();

  it('stores what was copied back, serves a hit without a container, and re-runs on a changed input', async () => {
    const f = workFolder('copy');
    const mounts = [f.input, `${f.out}:rw`];
    const first = await counted(busybox, copyScript(f), mounts, { cache: f.cache });
    expect(first.result.mounts.map((m) => m.source.type)).toEqual(['copy', 'copy']);
    rmSync(join(f.out, 'b.txt'));
    const outside = join(f.dir, 'outside.txt');
    writeFileSync(outside, 'precious\n');
    rmSync(join(f.out, 'sub'), { recursive: true });
    symlinkSync(f.dir, join(f.out, 'sub'));
    const hit = await counted(busybox, copyScript(f), mounts, { cache: f.cache });
    expect(hit).toMatchObject({ containers: 0, result: { cached: true, stdout: 'out-line\n' } });
    expect(readFileSync(join(f.out, 'b.txt'), 'utf8')).toBe('alpha\n');
    expect(lstatSync(join(f.out, 'sub')).isDirectory()).toBe(true);
    expect(readFileSync(join(f.out, 'sub', 'c.txt'), 'utf8')).toBe('nested\n');
    expect(readFileSync(outside, 'utf8')).toBe('precious\n');

    writeFileSync(join(f.input, 'a.txt'), 'bravo\n');
    expect((await counted(busybox, copyScript(f), mounts, { cache: f.cache })).containers).toBe(1);
    expect(readFileSync(join(f.out, 'b.txt'), 'utf8')).toBe('bravo\n');
  });
});
