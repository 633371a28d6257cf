import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPackages, repoRoot } from '#test-support/built-packages.js';
import { tempDir } from '#test-support/temp-dir.js';

// tslab's kernel keeps a TypeScript watch program over each cell and what it imports. Its timer
// stand-in holds one pending timer; TypeScript arms two kinds when several watched files report a
// change (a program file and a package.json it resolved through), and tslab throws "Unexpected
// pending rebuildTimer" from the watcher: an UncaughtException printed into whatever cell runs.
// No content needs to change: pnpm links every package file from its machine-wide store with hard
// links, so a `pnpm install` in any other checkout that links the same files changes their link
// count, and inotify reports that as a change to every watcher of those files (caught in a CI
// clone on 2026-12-06 while another checkout installed; linking the checkout's zod and dockerode
// package.json files once more reproduced it). Hence `packageImportMethod: copy`
// (pnpm-workspace.yaml) and these checks (docs/notebooks.md, tslab specifics). The first shows the
// exception with changes a test may make in a folder of its own; linking the checkout's files here
// would throw into the notebooks this suite runs at the same time.

interface ProbeLine {
  ready?: { files: string[]; dirs: string[]; diagnostics: string[] };
  event?: string;
  uncaught?: string;
}

const tslab = realpathSync(join(repoRoot, 'node_modules', 'tslab'));
const probes: ChildProcess[] = [];
afterEach(() => probes.splice(0).forEach((p) => p.kill()));

/** A stand-in tslab kernel's watch program in `folder`, compiling `cell` (fixtures/tslab-watch.cjs). */
async function holdWatchProgram(folder: string, cell: string) {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./fixtures/tslab-watch.cjs', import.meta.url)), tslab, folder, cell], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  probes.push(child);
  const lines: ProbeLine[] = [];
  const waiters: Array<() => void> = [];
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (buffer + chunk.toString()).split('\n');
    buffer = parts.pop()!;
    for (const part of parts.filter(Boolean)) lines.push(JSON.parse(part) as ProbeLine);
    waiters.splice(0).forEach((wake) => wake());
  });
  const waitFor = async (test: (line: ProbeLine) => boolean, what: string): Promise<ProbeLine> => {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const found = lines.find(test);
      if (found) return found;
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`the watch program never reported ${what}: ${JSON.stringify(lines).slice(0, 2000)}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 1000);
      });
    }
  };
  const { ready } = await waitFor((l) => l.ready !== undefined, 'ready');
  return { ready: ready!, lines, waitFor };
}

/** What the watch program looks at: each watched file's mtime, each watched folder's entries (two levels, links not followed). */
function snapshot(ready: { files: string[]; dirs: string[] }): Record<string, string> {
  const state: Record<string, string> = {};
  for (const file of ready.files) state[file] = existsSync(file) ? String(statSync(file).mtimeMs) : 'missing';
  const list = (dir: string, depth: number) => {
    if (!existsSync(dir) || !lstatSync(dir).isDirectory()) return void (state[`${dir}/`] = 'missing');
    for (const name of readdirSync(dir).filter((n) => !n.startsWith('.'))) {
      const path = join(dir, name);
      const entry = lstatSync(path);
      state[path] = `${entry.isSymbolicLink() ? 'link' : entry.isDirectory() ? 'dir' : 'file'} ${entry.mtimeMs}`;
      if (depth > 1 && entry.isDirectory()) list(path, depth - 1);
    }
  };
  for (const dir of ready.dirs) list(dir, 2);
  return state;
}

describe("a tslab kernel's TypeScript watcher beside the test files", () => {
  it('throws "Unexpected pending rebuildTimer" when a watched .d.ts and then a watched node_modules folder change (the checks below can fail)', async () => {
    const folder = tempDir('tslab-watch');
    const pkg = join(folder, 'node_modules', 'pkg');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'pkg', version: '1.0.0', main: 'index.js', types: 'index.d.ts' }));
    writeFileSync(join(pkg, 'index.js'), 'exports.x = 1;\n');
    writeFileSync(join(pkg, 'index.d.ts'), 'export declare const x: number;\n');
    const program = await holdWatchProgram(folder, 'import { x } from "pkg";\nconst y: number = x;\n');
    expect(program.ready.diagnostics).toEqual([]);
    writeFileSync(join(pkg, 'index.d.ts'), 'export declare const x: number;\nexport declare const z: string;\n');
    await program.waitFor((l) => l.event?.endsWith('index.d.ts') === true, 'the .d.ts change');
    mkdirSync(join(folder, 'node_modules', 'another'));
    const { uncaught } = await program.waitFor((l) => l.uncaught !== undefined, 'an exception');
    expect(uncaught).toBe('Unexpected pending rebuildTimer');
  }, 240_000);

  it('the build the test files run beside notebooks changes nothing such a kernel watches', async () => {
    await buildPackages();
    const program = await holdWatchProgram(
      join(repoRoot, 'examples', 'notebooks'),
      'import { runTool } from "@tooldock/core";\nimport { samtools } from "@tooldock/recipes";\nimport { liveProgress } from "@tooldock/jupyter";\nconst used = [runTool, samtools, liveProgress];\nused.length;\n',
    );
    expect(program.ready.diagnostics).toEqual([]);
    expect(program.ready.files.some((f) => f.endsWith('/packages/core/dist/index.d.ts'))).toBe(true);
    const before = snapshot(program.ready);
    // What notebooks.test.ts, notebook-cache.test.ts and a dozen core files call. (Packing, `tooldock
    // init` and examples/workbench/prepare.sh were watched by hand on 2026-12-06: no change either.)
    await buildPackages();
    expect(snapshot(program.ready)).toEqual(before);
    expect(program.lines.filter((l) => l.uncaught !== undefined)).toEqual([]);
    // No file it watches is shared with pnpm's store (or any other checkout): one link each.
    const shared = program.ready.files.filter((f) => existsSync(f) && statSync(f).nlink > 1);
    expect(shared, 'files a pnpm install elsewhere would touch (packageImportMethod: copy)').toEqual([]);
  }, 240_000);
});
