import { chmodSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackages } from '#test-support/built-packages.js';
import { tempDir } from '#test-support/temp-dir.js';
import { reaperGone, runWorkbench } from '#test-support/workbench.js';

// DooD: the SDK in a notebook-like container (uid 1000, the socket's group) caching its calls.
describe('result cache in DooD (the SDK inside a container, sibling tools)', () => {
  let report: { transfer: string; cached: boolean[]; stdout: string; restoredByHit: string; restored: string };
  let workbenchId = '';

  beforeAll(async () => {
    await buildPackages();
    const data = tempDir('cache-dood');
    chmodSync(data, 0o777); // the workbench runs as uid 1000
    ({ id: workbenchId, report } = await runWorkbench<typeof report>('packages/core/test/engine/cache/fixtures/dood-cache.mjs', [
      { Type: 'bind', Source: data, Target: '/data' },
    ]));
  }, 240_000);
  afterAll(() => reaperGone(workbenchId));

  it('serves the unchanged call from the cache and runs again after an input changed', () => {
    expect(report).toEqual({ transfer: 'bind', cached: [false, true, false], stdout: 'done\n', restoredByHit: 'alpha\n', restored: 'bravo\n' });
  });
});
