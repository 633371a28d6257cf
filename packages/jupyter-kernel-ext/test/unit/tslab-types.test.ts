import { execFile } from 'node:child_process';
import { copyFileSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, expect, it } from 'vitest';
import { buildPackages, repoRoot } from '#test-support/built-packages.js';
import { tempDir } from '#test-support/temp-dir.js';

// tslab type-checks every cell with the TypeScript it bundles (@tslab/typescript-for-tslab, 5.0),
// not the workspace's: a type that only newer compilers infer is an error in the notebook.
const tslabRequire = createRequire(createRequire(join(repoRoot, 'package.json')).resolve('tslab/package.json'));
const tsc = join(dirname(tslabRequire.resolve('@tslab/typescript-for-tslab/package.json')), 'lib', 'tsc.js');
const cells = fileURLToPath(new URL('./fixtures/tslab-cells.ts', import.meta.url));

beforeAll(() => buildPackages(), 120_000);

it("the cells people write compile under tslab's own TypeScript (each fan-out result keeps its type)", async () => {
  const version = tslabRequire('@tslab/typescript-for-tslab/package.json') as { version: string };
  expect(version.version).toMatch(/^5\.0\./);
  // As tslab checks a cell (its converter.js): ESNext modules resolved the Node10 way, which reads no
  // package.json `exports` (subpaths resolve through `typesVersions`), strict, against the built declarations.
  // From a folder of its own whose node_modules are the examples' (as a notebook folder has them).
  const folder = tempDir('tslab-cells');
  symlinkSync(join(repoRoot, 'examples', 'node_modules'), join(folder, 'node_modules'));
  copyFileSync(cells, join(folder, 'cells.ts'));
  const result = await promisify(execFile)(
    process.execPath,
    [tsc, '--noEmit', '--strict', '--module', 'esnext', '--moduleResolution', 'node', '--target', 'es2022', '--skipLibCheck', 'cells.ts'],
    { cwd: folder },
  ).catch((e: { stdout: string }) => e);
  expect(result.stdout).toBe('');
}, 120_000);
