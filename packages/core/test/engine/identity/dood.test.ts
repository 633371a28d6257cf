import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackages } from '#test-support/built-packages.js';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';
import { reaperGone, runWorkbench } from '#test-support/workbench.js';

const images = testImages() as ReturnType<typeof testImages> & { notebook_base: string };

// DooD: the SDK in a notebook-like container (uid 1000, the socket's group) starts sibling tools.
describe('a user name for the mapped uid (DooD)', () => {
  let report: { user: string; transfer: string; shell: string; python: string };
  let workbenchId = '';

  beforeAll(async () => {
    await buildPackages();
    const data = tempDir('identity-dood');
    ({ id: workbenchId, report } = await runWorkbench<typeof report>(
      'packages/core/test/engine/identity/fixtures/inside.mjs',
      [{ Type: 'bind', Source: data, Target: '/data' }],
      [`NOTEBOOK_BASE=${images.notebook_base}`],
    ));
  }, 240_000);
  afterAll(() => reaperGone(workbenchId));

  it("whoami, id -un and Python's getpass answer for the caller's uid in a sibling tool", () => {
    expect(report).toEqual({ user: '1000:1000', transfer: 'bind', shell: 'tooldock\ntooldock\n1000\n', python: 'tooldock\n' });
  });
});
