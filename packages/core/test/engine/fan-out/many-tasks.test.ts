import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPackages } from '#test-support/built-packages.js';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();
const run = promisify(execFile);
const fixture = fileURLToPath(new URL('./fixtures/many-tiny.mjs', import.meta.url));

describe('200 tiny tasks', () => {
  beforeAll(async () => {
    await buildPackages();
  }, 120_000);

  it('complete with flat memory and no leaked handles or listeners', async () => {
    const { stdout, stderr } = await run(process.execPath, ['--expose-gc', fixture, busybox], { maxBuffer: 1 << 20 });
    const report = JSON.parse(stdout) as { ok: boolean; heapGrowthBytes: number; activeHandles: number; sigintListeners: number };
    expect(report.ok).toBe(true);
    // 160 runs after warm-up: a leak of even 20 kB per run would show as 3 MB.
    expect(report.heapGrowthBytes).toBeLessThan(3 * 1024 * 1024);
    expect(report.sigintListeners).toBe(1);
    expect(report.activeHandles).toBeLessThan(10);
    expect(stderr).not.toMatch(/MaxListenersExceeded|Warning/);
    // A hang guard, not a speed bound: alone ~100 s, beside the suite's other engine tests on
    // 2 cores up to ~3 min.
  }, 420_000);
});
