import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackages, repoRoot } from '#test-support/built-packages.js';
import { TestNpmRegistry } from '#test-support/npm-registry.js';
import { executeNotebook, mime, writeNotebook } from '#test-support/notebook-folder.js';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

const run = promisify(execFile);
const { busybox } = testImages();
const { version } = JSON.parse(readFileSync(join(repoRoot, 'packages/core/package.json'), 'utf8')) as { version: string };
const deno = join(repoRoot, 'node_modules', '.bin', 'deno');

// A release as users get it: the three packages published (`pnpm publish`, as docs/releasing.md
// says) to a real npm registry this test starts on 127.0.0.1, then installed into empty folders
// by following only the README's "Install from a registry" commands, and used from every runtime.
// npm and Deno talk only to that registry (it proxies every other package from the npm registry).
describe('installed from a registry', () => {
  const registry = new TestNpmRegistry();
  /** A user's environment: no npm_config_* of the pnpm running vitest, no NODE_PATH, an empty user .npmrc. */
  let env: NodeJS.ProcessEnv;
  let home: string;
  /** The folder set up with `npx … tooldock init`, as the README says. */
  let project: string;

  /** What `pnpm publish` printed on stderr. */
  let publishWarnings: string;

  beforeAll(async () => {
    home = tempDir('registry-user');
    writeFileSync(join(home, '.npmrc'), '');
    env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|pnpm_|NODE_PATH$)/i.test(k)));
    // A fresh npm cache: npx must fetch this build, not one an earlier run left under the same version.
    // Within the test, what npm fetched once is not asked for again (the first install fills the cache).
    Object.assign(env, {
      NPM_CONFIG_USERCONFIG: join(home, '.npmrc'),
      NPM_CONFIG_CACHE: join(home, 'npm-cache'),
      NPM_CONFIG_PREFER_OFFLINE: 'true',
      NPM_CONFIG_AUDIT: 'false',
      NPM_CONFIG_FUND: 'false',
      NO_COLOR: '1',
      DENO_NO_UPDATE_CHECK: '1',
    });

    const t0 = Date.now();
    await buildPackages();
    await registry.start();
    const t1 = Date.now();
    // The release command of docs/releasing.md (the token lives in a throwaway user config).
    const published = await run('pnpm', ['--filter', './packages/*', 'publish', '--no-git-checks', '--registry', registry.url], {
      cwd: repoRoot,
      env: { ...env, NPM_CONFIG_USERCONFIG: registry.publishConfig },
      maxBuffer: 16 * 1024 * 1024,
    });
    // pnpm hands npm its own settings as npm_config_* variables, which npm 11 warns about: not ours.
    publishWarnings = published.stderr
      .split('\n')
      .filter((l) => /^npm (warn|error)\b|^\s*ERR/i.test(l) && !/Unknown env config/.test(l))
      .join('\n');

    const t2 = Date.now();
    project = tempDir('registry-project');
    // README: a registry other than npm's is named in the folder's .npmrc.
    writeFileSync(join(project, '.npmrc'), `registry=${registry.url}\n`);
    await run('npx', ['--yes', '-p', '@tooldock/core', 'tooldock', 'init'], { cwd: project, env, maxBuffer: 16 * 1024 * 1024 });
    const t3 = Date.now();
    // Figures for the log (time is judged in bench/, never asserted).
    console.log(`build + verdaccio start ${t1 - t0} ms, publish ${t2 - t1} ms, npx tooldock init ${t3 - t2} ms`);
  }, 300_000);

  afterAll(() => registry.stop());

  it('publishes without a warning (npm auto-corrects nothing in the manifests)', () => {
    expect(publishWarnings).toBe('');
  });

  it('init pins the published versions and npm fetched everything from the registry', () => {
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(manifest.dependencies).toEqual({ '@tooldock/core': version, '@tooldock/recipes': version, '@tooldock/jupyter': version });
    expect(existsSync(join(project, 'tooldock-packages'))).toBe(false);
    const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8')) as { packages: Record<string, { resolved?: string }> };
    const elsewhere = Object.entries(lock.packages).filter(([path, p]) => path && !p.resolved?.startsWith(registry.url));
    expect(elsewhere).toEqual([]);
    for (const name of ['core', 'recipes', 'jupyter']) {
      const dir = join(project, 'node_modules', '@tooldock', name);
      for (const file of ['dist/index.js', 'dist/index.d.ts', 'README.md', 'LICENSE', 'CHANGELOG.md'])
        expect(existsSync(join(dir, file)), `${name}/${file}`).toBe(true);
      expect(existsSync(join(dir, 'src'))).toBe(false);
    }
  });

  // Every runtime also loads @tooldock/core/advanced and uses it: a subpath that resolves to
  // nothing, or to a second copy of the core (whose errors are other classes), fails here.
  const script = (load: string) => `${load}
    let shared = false;
    try { parseOrThrow(RunOptionsSchema, { cpu: 1 }, 'options'); } catch (error) { shared = error instanceof InvalidInputError; }
    if (!shared) throw new Error('@tooldock/core/advanced does not share the classes of @tooldock/core');
    const result = await runTool(${JSON.stringify(busybox)}, ['echo', 'hello from ' + runtime]);
    console.log(String(result.stdout).trim());`;

  it('imports from Node ESM and runs a tool', async () => {
    writeFileSync(
      join(project, 'esm.mjs'),
      script(
        `import { InvalidInputError, runTool } from '@tooldock/core'; import { parseOrThrow, RunOptionsSchema } from '@tooldock/core/advanced'; import '@tooldock/recipes'; import '@tooldock/jupyter'; const runtime = 'esm';`,
      ),
    );
    const { stdout } = await run(process.execPath, ['esm.mjs'], { cwd: project, env });
    expect(stdout.trim()).toBe('hello from esm');
  });

  it('requires from CommonJS, as tslab does', async () => {
    writeFileSync(
      join(project, 'cjs.cjs'),
      `const { InvalidInputError, runTool } = require('@tooldock/core'); const { parseOrThrow, RunOptionsSchema } = require('@tooldock/core/advanced'); require('@tooldock/recipes'); require('@tooldock/jupyter'); const runtime = 'cjs';
      (async () => { ${script('')} })().catch((e) => { console.error(e); process.exit(1); });`,
    );
    const { stdout } = await run(process.execPath, ['cjs.cjs'], { cwd: project, env });
    expect(stdout.trim()).toBe('hello from cjs');
  });

  it('runs the installed CLI: npx tooldock --version, npm run tooldock -- doctor', async () => {
    expect((await run('npx', ['tooldock', '--version'], { cwd: project, env })).stdout.trim()).toBe(version);
    const { stdout } = await run('npm', ['run', '--silent', 'tooldock', '--', 'doctor', '--json'], { cwd: project, env });
    const report = JSON.parse(stdout) as { engine: { reachable: boolean }; findings: unknown[] };
    expect(report.engine.reachable).toBe(true);
  });

  // tslab type-checks every cell: this is also the TypeScript consumer's check (the installed .d.ts).
  it('runs a notebook in the folder under tslab and Deno', async () => {
    // The kernels as docs/notebooks.md sets them up, in a private kernels dir (the machine's are shared).
    const kernels = join(home, 'jupyter');
    mkdirSync(join(kernels, 'kernels', 'tslab'), { recursive: true });
    mkdirSync(join(kernels, 'kernels', 'deno'), { recursive: true });
    writeFileSync(
      join(kernels, 'kernels', 'tslab', 'kernel.json'),
      JSON.stringify({
        argv: [realpathSync(join(repoRoot, 'node_modules', 'tslab', 'bin', 'tslab')), 'kernel', '--config-path', '{connection_file}'],
        language: 'typescript',
        display_name: 'TypeScript (tslab)',
      }),
    );
    writeFileSync(
      join(kernels, 'kernels', 'deno', 'kernel.json'),
      JSON.stringify({
        argv: [realpathSync(join(repoRoot, 'node_modules', 'deno', 'deno')), 'jupyter', '--kernel', '--conn', '{connection_file}'],
        language: 'typescript',
        display_name: 'Deno',
      }),
    );
    const nb = { folder: project, env: { ...env, JUPYTER_PATH: kernels } };
    for (const kernel of ['tslab', 'deno'] as const) {
      writeNotebook(join(project, `${kernel}.ipynb`), kernel, [
        'import { runTool } from "@tooldock/core";\nimport "@tooldock/jupyter";',
        `await runTool(${JSON.stringify(busybox)}, ["echo", "hello from ${kernel}"])`,
      ]);
      const { exitCode, cells } = await executeNotebook(nb, kernel, `${kernel}.ipynb`);
      expect(exitCode).toBe(0);
      const html = cells[1]!.outputs.map((o) => mime(o, 'text/html')).join('');
      expect(html, kernel).toContain(`hello from ${kernel}`);
    }
  });

  it('init --from-registry from a checkout takes the published packages, not the checkout', async () => {
    // Into the folder already set up: npm finds everything installed, the check stays cheap.
    const cli = join(repoRoot, 'packages/core/dist/bin/tooldock.js');
    const { stdout } = await run(process.execPath, [cli, 'init', project, '--from-registry'], { cwd: project, env, maxBuffer: 16 * 1024 * 1024 });
    expect(stdout).toContain('installing the published packages');
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(manifest.dependencies).toEqual({ '@tooldock/core': version, '@tooldock/recipes': version, '@tooldock/jupyter': version });
    expect(existsSync(join(project, 'tooldock-packages'))).toBe(false);
    // Without the flag, the same CLI packs its checkout: the flag is what made the difference.
    expect(stdout).not.toContain(repoRoot);
  });

  it('imports npm: specifiers into Deno, which wants a first-day version allowed explicitly', async () => {
    const folder = tempDir('registry-deno');
    writeFileSync(
      join(folder, 'main.ts'),
      script(
        `import { InvalidInputError, runTool } from 'npm:@tooldock/core@${version}'; import { parseOrThrow, RunOptionsSchema } from 'npm:@tooldock/core@${version}/advanced'; import 'npm:@tooldock/recipes@${version}'; import 'npm:@tooldock/jupyter@${version}'; const runtime: string = 'deno';`,
      ),
    );
    const denoEnv = { ...env, NPM_CONFIG_REGISTRY: registry.url, DENO_DIR: join(folder, '.deno') };
    // Deno's minimum dependency age (docs/notebooks.md): a version published minutes ago is refused…
    const refused = await run(deno, ['run', '--allow-all', 'main.ts'], { cwd: folder, env: denoEnv }).then(
      () => '',
      (e: { stderr?: string }) => e.stderr ?? 'failed',
    );
    expect(refused).toMatch(/minimum.dependency.age|newer than|too new/i);
    // …until allowed, as the docs say.
    const { stdout } = await run(deno, ['run', '--allow-all', '--minimum-dependency-age=0', 'main.ts'], { cwd: folder, env: denoEnv });
    expect(stdout.trim()).toBe('hello from deno');
  });
});
