import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { busybox, workFolder } from './cache-fixture.js';

const run = promisify(execFile);
const child = fileURLToPath(new URL('./cached-call.child.mts', import.meta.url));
const tsx = fileURLToPath(new URL('../../../../../node_modules/.bin/tsx', import.meta.url));

describe('result cache across processes', () => {
  it('two processes making the same call at once run the tool once (a lock per key)', async () => {
    const f = workFolder('processes');
    const barrier = join(f.dir, 'barrier');
    mkdirSync(barrier);
    const outcomes = await Promise.all(
      [0, 1].map(async () => {
        const { stdout } = await run(tsx, [child, busybox, f.out, f.cache, barrier], { timeout: 90_000 });
        return JSON.parse(stdout.trim().split('\n').at(-1)!) as { containers: number; cached: boolean; stdout: string };
      }),
    );
    expect(outcomes.map((o) => o.containers).sort()).toEqual([0, 1]);
    expect(outcomes.map((o) => o.cached).sort()).toEqual([false, true]);
    expect(outcomes.map((o) => o.stdout)).toEqual(['done\n', 'done\n']);
    expect(readFileSync(join(f.out, 'runs.txt'), 'utf8')).toBe('once\n');
  });
});
