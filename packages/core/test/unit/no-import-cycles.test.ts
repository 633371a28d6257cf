import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// No module of @tooldock/core may import itself back, not even for a type: a circle makes load
// order matter (a value read before its module ran is undefined) and hides which module owns a
// concept. Same check as `madge --circular` with type imports, without the dependency.

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Relative specifiers of every import, `export … from`, side-effect and dynamic import. */
const IMPORT = /\b(?:import|export)\s[^;]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]|\bimport\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

function importsOf(source: string): string[] {
  return [...source.matchAll(IMPORT)].map((m) => (m[1] ?? m[2])!);
}

/** Every cycle reachable in `graph` (module → modules it imports), each as a path back to its start. */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const visit = (node: string) => {
    if (onStack.has(node)) return void cycles.push([...stack.slice(stack.indexOf(node)), node]);
    if (done.has(node)) return;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) visit(next);
    stack.pop();
    onStack.delete(node);
    done.add(node);
  };
  for (const node of [...graph.keys()].sort()) visit(node);
  return cycles;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The import graph of the package's sources, by path relative to src/ (`./x.js` is `x.ts`). */
function coreImportGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const targets = importsOf(readFileSync(file, 'utf8')).map((specifier) =>
      relative(SRC, resolve(dirname(file), specifier)).replace(/\.js$/, '.ts'),
    );
    graph.set(relative(SRC, file), targets);
  }
  return graph;
}

describe('import cycles', () => {
  it('the finder sees type-only, multi-line and re-export imports, and reports their cycles', () => {
    expect(
      importsOf(`import type {\n  A,\n  B,\n} from './a.js';\nexport { c } from '../c.js';\nimport './side.js';\nimport x from 'node:fs';`),
    ).toEqual(['./a.js', '../c.js', './side.js']);
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
    ]);
    expect(findCycles(graph)).toEqual([['a', 'b', 'c', 'a']]);
    expect(
      findCycles(
        new Map([
          ['a', ['b']],
          ['b', []],
        ]),
      ),
    ).toEqual([]);
  });

  it('@tooldock/core has none, type imports included', () => {
    const graph = coreImportGraph();
    expect(graph.size).toBeGreaterThan(50); // the sources were found
    expect(graph.get('index.ts')).toContain('api/run-tool.ts');
    expect(findCycles(graph).map((cycle) => cycle.join(' → '))).toEqual([]);
  });
});
