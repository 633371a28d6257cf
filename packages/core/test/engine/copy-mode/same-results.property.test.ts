import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync, chmodSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { runTool } from '@tooldock/core';
import { copyModeResolver, sameHostResolver, setPathResolver } from '@tooldock/core/advanced';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();
/** Each run is two containers (bind, then copy): kept modest. */
const RUNS = Number(process.env.TOOLDOCK_SAME_RESULTS_RUNS ?? 20);

// "Same results": bind mode is the reference. One generated tool script over two identical
// trees, once bind-mounted and once in copy mode, must leave identical trees: paths, types,
// contents, permission bits, symlink targets.

const FILES = ['a', 'b', 'd1/a', 'd1/b', 'd2/c', 'd1/d3/e'];
const DIRS = ['d1', 'd2', 'd1/d3', 'd4'];
const ANY = [...FILES, ...DIRS];
const content = fc.constantFrom('alpha', 'bravo', '', 'x'.repeat(3000), 'charlie\n');

const op = fc.oneof(
  fc.record({ op: fc.constant('create' as const), path: fc.constantFrom(...FILES), content }),
  fc.record({ op: fc.constant('overwrite-same-size' as const), path: fc.constantFrom(...FILES) }),
  fc.record({ op: fc.constant('delete' as const), path: fc.constantFrom(...FILES) }),
  fc.record({ op: fc.constant('chmod' as const), path: fc.constantFrom(...ANY), mode: fc.constantFrom('755', '600', '644', '700') }),
  fc.record({ op: fc.constant('mkdir' as const), path: fc.constantFrom(...DIRS) }),
  fc.record({ op: fc.constant('rmdir' as const), path: fc.constantFrom(...DIRS) }),
  fc.record({ op: fc.constant('rm-r' as const), path: fc.constantFrom(...DIRS) }),
  fc.record({ op: fc.constant('rename' as const), path: fc.constantFrom(...ANY), to: fc.constantFrom(...ANY) }),
  fc.record({ op: fc.constant('symlink' as const), path: fc.constantFrom(...FILES), to: fc.constantFrom('a', '../a', 'missing', 'd1') }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

const initial = fc.uniqueArray(fc.record({ path: fc.constantFrom(...FILES), content, mode: fc.constantFrom(0o644, 0o755, 0o600) }), {
  selector: (f) => f.path,
  maxLength: 5,
});

function shell(o: Op): string {
  // Every step may fail (a missing path): it fails the same way on both sides.
  switch (o.op) {
    case 'create':
      return `printf '%s' '${o.content}' > ${o.path}`;
    case 'overwrite-same-size':
      return `[ -f ${o.path} ] && n=$(wc -c < ${o.path}) && head -c $n /dev/zero | tr '\\0' z > ${o.path}`;
    case 'delete':
      return `rm -f ${o.path}`;
    case 'chmod':
      return `chmod ${o.mode} ${o.path}`;
    case 'mkdir':
      return `mkdir -p ${o.path}`;
    case 'rmdir':
      return `rmdir ${o.path}`;
    case 'rm-r':
      return `rm -rf ${o.path}`;
    case 'rename':
      return `mv -f ${o.path} ${o.to}`;
    case 'symlink':
      return `ln -s ${o.to} ${o.path}`;
  }
}

/** path → what "same results" compares (the mount root itself aside). */
function snapshot(root: string, rel = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(join(root, rel)).sort()) {
    const path = rel ? `${rel}/${name}` : name;
    const full = join(root, path);
    const stats = lstatSync(full);
    const mode = (stats.mode & 0o777).toString(8);
    if (stats.isSymbolicLink()) out[path] = `link -> ${readlinkSync(full)}`;
    else if (stats.isDirectory()) {
      out[path] = `dir ${mode}`;
      Object.assign(out, snapshot(root, path));
    } else out[path] = `file ${mode} ${JSON.stringify(readFileSync(full, 'utf8'))}`;
  }
  return out;
}

function seed(root: string, files: Array<{ path: string; content: string; mode: number }>): void {
  mkdirSync(join(root, 'd2'), { recursive: true });
  for (const f of files) {
    mkdirSync(dirname(join(root, f.path)), { recursive: true });
    writeFileSync(join(root, f.path), f.content);
    chmodSync(join(root, f.path), f.mode);
  }
  symlinkSync('a', join(root, 'seeded-link'));
}

describe('same results: copy mode leaves the tree bind mode leaves', () => {
  afterAll(() => {
    setPathResolver(undefined);
  });

  it(`${RUNS} generated scripts (create, same-size overwrite, delete, chmod, mkdir, rmdir, rename, symlink)`, async () => {
    await fc.assert(
      fc.asyncProperty(initial, fc.array(op, { minLength: 1, maxLength: 8 }), async (files, ops) => {
        const script = `cd /out; ${ops.map((o) => `{ ${shell(o)}; } 2>/dev/null`).join('; ')}; true`;
        const trees: Record<string, string>[] = [];
        for (const resolver of [sameHostResolver, copyModeResolver]) {
          const root = tempDir('same-results');
          seed(root, files);
          setPathResolver(resolver);
          const result = await runTool(busybox, ['sh', '-c', script], [{ path: root, target: '/out', write: true }]);
          expect(result.notes).toEqual([]);
          trees.push(snapshot(root));
        }
        expect(trees[1], `copy mode differs from bind mode after the script:\n  ${script}\nover the seeded files ${JSON.stringify(files)}`).toEqual(
          trees[0],
        );
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
  }, 600_000);
});
