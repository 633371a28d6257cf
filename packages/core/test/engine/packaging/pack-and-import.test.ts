import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackages, repoRoot as root } from '#test-support/built-packages.js';
import { testImages } from '#test-support/test-images.js';

const run = promisify(execFile);
const packages = ['core', 'recipes', 'jupyter-kernel-ext'];
const { busybox } = testImages();

// What a user does: pack the packages, install the tarballs into a project outside the
// workspace, and import them from each runtime (Node ESM, CommonJS, tsx, Deno), running one real tool.
describe('published packages', () => {
  let project: string;
  let tarballs: string;

  beforeAll(async () => {
    await buildPackages();
    project = mkdtempSync(join(tmpdir(), 'tooldock-pack-'));
    tarballs = mkdtempSync(join(tmpdir(), 'tooldock-tgz-'));
    for (const pkg of packages) {
      await run('pnpm', ['pack', '--pack-destination', tarballs], { cwd: join(root, 'packages', pkg) });
    }
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    const files = readdirSync(tarballs).map((f) => join(tarballs, f));
    await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...files], { cwd: project });
  }, 300_000);

  afterAll(() => {
    for (const dir of [project, tarballs]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ships only dist, with types', async () => {
    for (const name of ['core', 'recipes', 'jupyter']) {
      const dir = join(project, 'node_modules', '@tooldock', name);
      expect(existsSync(join(dir, 'dist', 'index.js'))).toBe(true);
      expect(existsSync(join(dir, 'dist', 'index.d.ts'))).toBe(true);
      expect(existsSync(join(dir, 'src'))).toBe(false);
    }
    // The subpath export, as package.json's `exports` names it.
    const core = join(project, 'node_modules', '@tooldock', 'core');
    expect(existsSync(join(core, 'dist', 'advanced.js'))).toBe(true);
    expect(existsSync(join(core, 'dist', 'advanced.d.ts'))).toBe(true);
  });

  // Every runtime also loads @tooldock/core/advanced and uses it, and loads every other door
  // package.json exports: a subpath that resolves to nothing, or to a second copy of the core
  // (whose errors are other classes), fails here.
  const exported = (JSON.parse(readFileSync(join(root, 'packages', 'core', 'package.json'), 'utf8')) as { exports: Record<string, unknown> }).exports;
  const doors = Object.keys(exported)
    .filter((k) => k !== '.' && k !== './package.json')
    .map((k) => `@tooldock/core/${k.slice(2)}`);
  const importDoors = doors.map((door, i) => `import * as door${i} from '${door}';`).join(' ');
  const requireDoors = doors.map((door, i) => `const door${i} = require('${door}');`).join(' ');
  const script = (load: string) => `${load}
    let shared = false;
    try { parseOrThrow(RunOptionsSchema, { cpu: 1 }, 'options'); } catch (error) { shared = error instanceof InvalidInputError; }
    if (!shared) throw new Error('@tooldock/core/advanced does not share the classes of @tooldock/core');
    const doors = [${doors.map((_, i) => `door${i}`).join(', ')}];
    const empty = ${JSON.stringify(doors)}.filter((_door, i) => Object.keys(doors[i]).length === 0);
    if (empty.length > 0) throw new Error('these subpaths load nothing: ' + empty.join(', '));
    if (!(new door${doors.indexOf('@tooldock/core/docker')}.PathNotShareableError('/x', 'is not shared', []) instanceof TooldockError)) {
      throw new Error('@tooldock/core/docker does not share the classes of @tooldock/core');
    }
    const result = await runTool(${JSON.stringify(busybox)}, ['echo', 'hello from ' + runtime]);
    console.log(String(result.stdout).trim());`;

  it('imports from Node ESM', async () => {
    writeFileSync(
      join(project, 'esm.mjs'),
      script(
        `import { InvalidInputError, runTool, TooldockError } from '@tooldock/core'; import { parseOrThrow, RunOptionsSchema } from '@tooldock/core/advanced'; ${importDoors} import '@tooldock/recipes'; import '@tooldock/jupyter'; const runtime = 'esm';`,
      ),
    );
    const { stdout } = await run(process.execPath, ['esm.mjs'], { cwd: project });
    expect(stdout.trim()).toBe('hello from esm');
  });

  it('requires from CommonJS, as tslab does', async () => {
    writeFileSync(
      join(project, 'cjs.cjs'),
      `const { InvalidInputError, runTool, TooldockError } = require('@tooldock/core'); const { parseOrThrow, RunOptionsSchema } = require('@tooldock/core/advanced'); ${requireDoors} require('@tooldock/recipes'); require('@tooldock/jupyter'); const runtime = 'cjs';
      (async () => { ${script('')} })().catch((e) => { console.error(e); process.exit(1); });`,
    );
    const { stdout } = await run(process.execPath, ['cjs.cjs'], { cwd: project });
    expect(stdout.trim()).toBe('hello from cjs');
  });

  it('imports into Deno from node_modules', async () => {
    writeFileSync(
      join(project, 'deno-main.ts'),
      script(
        `import { InvalidInputError, runTool, TooldockError } from '@tooldock/core'; import { parseOrThrow, RunOptionsSchema } from '@tooldock/core/advanced'; ${importDoors} import '@tooldock/recipes'; import '@tooldock/jupyter'; const runtime: string = 'deno';`,
      ),
    );
    const deno = join(root, 'node_modules', '.bin', 'deno');
    const { stdout } = await run(deno, ['run', '--allow-all', '--node-modules-dir=manual', 'deno-main.ts'], {
      cwd: project,
      env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    });
    expect(stdout.trim()).toBe('hello from deno');
  });

  it('runs from TypeScript under tsx', async () => {
    writeFileSync(
      join(project, 'main.mts'),
      script(
        `import { InvalidInputError, runTool, TooldockError, type RunResult } from '@tooldock/core'; import { parseOrThrow, RunOptionsSchema, type PathResolver } from '@tooldock/core/advanced'; ${importDoors} const runtime: string = 'tsx'; let _typed: RunResult | PathResolver | undefined;`,
      ),
    );
    const { stdout } = await run(join(root, 'node_modules', '.bin', 'tsx'), ['main.mts'], { cwd: project });
    expect(stdout.trim()).toBe('hello from tsx');
  });
});
