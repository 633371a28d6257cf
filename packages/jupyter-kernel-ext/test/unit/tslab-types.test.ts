import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, expect, it } from 'vitest';
import { buildPackages, repoRoot } from '#test-support/built-packages.js';

// tslab type-checks every cell with the TypeScript it bundles (@tslab/typescript-for-tslab, 5.0),
// not the workspace's: a type that only newer compilers infer is an error in the notebook.
const tslabRequire = createRequire(createRequire(join(repoRoot, 'package.json')).resolve('tslab/package.json'));
const tsc = join(dirname(tslabRequire.resolve('@tslab/typescript-for-tslab/package.json')), 'lib', 'tsc.js');
const cells = fileURLToPath(new URL('./fixtures/tslab-cells.ts', import.meta.url));

beforeAll(() => buildPackages(), 120_000);

it('the cells people write compile under tslab\'s own TypeScript (each fan-out result keeps its type)', async () => {
  const version = tslabRequire('@tslab/typescript-for-tslab/package.json') as { version: string };
  expect(version.version).toMatch(/^5\.0\./);
  // As tslab compiles a cell: CommonJS output, strict, against the packages' built declarations.
  const result = await promisify(execFile)(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'node16', '--moduleResolution', 'node16',
    '--target', 'es2022', '--skipLibCheck', cells], { cwd: join(repoRoot, 'examples') }).catch((e: { stdout: string }) => e);
  expect(result.stdout).toBe('');
}, 120_000);
