import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPackages, repoRoot } from '#test-support/built-packages.js';

const run = promisify(execFile);
const folders = ['core', 'recipes', 'jupyter-kernel-ext'] as const;

interface Manifest {
  name: string;
  version: string;
  license: string;
  repository?: { url: string; directory: string };
  homepage?: string;
  bugs?: { url: string };
  files: string[];
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
}
const manifest = (folder: string) => JSON.parse(readFileSync(join(repoRoot, 'packages', folder, 'package.json'), 'utf8')) as Manifest;

// What `npm publish` needs and ships (docs/releasing.md): the published tarball's file list, and
// the fields npm would otherwise auto-correct or a registry page would lack.
describe('package metadata for a publish', () => {
  beforeAll(buildPackages, 120_000);

  it('the three packages share one version and say where they come from', () => {
    const versions = new Set(folders.map((f) => manifest(f).version));
    expect(versions.size, 'released in lockstep: tooldock init pins all three to its own version').toBe(1);
    for (const folder of folders) {
      const m = manifest(folder);
      expect(m.license).toBe('MIT');
      expect(m.repository?.directory).toBe(`packages/${folder}`);
      expect(m.repository?.url).toBe(manifest('core').repository?.url);
      expect(m.homepage).toMatch(new RegExp(`/packages/${folder}#readme$`));
      expect(m.bugs?.url).toMatch(/\/issues$/);
      // A bin path npm rewrites on publish (e.g. a leading ./) makes `npm publish` warn.
      for (const target of Object.values(m.bin ?? {})) expect(target).toMatch(/^dist\//);
    }
  });

  it('every package keeps a changelog with an entry for its next or current version', () => {
    for (const folder of folders) {
      const text = readFileSync(join(repoRoot, 'packages', folder, 'CHANGELOG.md'), 'utf8');
      expect(text, folder).toMatch(new RegExp(`^## (Unreleased|${manifest(folder).version.replace(/\./g, '\\.')})\\b`, 'm'));
      expect(manifest(folder).files).toContain('CHANGELOG.md');
    }
  });

  it.each(folders)(
    'the %s tarball holds the README, LICENSE, CHANGELOG and the built code, nothing else',
    async (folder) => {
      const cwd = join(repoRoot, 'packages', folder);
      const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd, maxBuffer: 16 * 1024 * 1024 });
      const [pack] = JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>;
      const files = pack!.files.map((f) => f.path);
      for (const file of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/index.js', 'dist/index.d.ts'])
        expect(files, file).toContain(file);
      const others = files.filter((f) => !['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'].includes(f) && !f.startsWith('dist/'));
      expect(others).toEqual([]);
      expect(files.filter((f) => f.endsWith('.tsbuildinfo'))).toEqual([]);
      for (const bin of Object.values(manifest(folder).bin ?? {})) expect(files).toContain(bin);
      expect(existsSync(join(cwd, 'README.md'))).toBe(true);
    },
    // npm itself starts (~1 s alone, 8 s at load 18 here); one run in the full unit project at that load took 60.4 s.
    180_000,
  );
});
