import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as root from '@tooldock/core';
import * as advanced from '@tooldock/core/advanced';
import * as cache from '@tooldock/core/cache';
import * as charliecloud from '@tooldock/core/charliecloud';
import * as docker from '@tooldock/core/docker';
import * as images from '@tooldock/core/images';
import * as provenance from '@tooldock/core/provenance';
import * as slurm from '@tooldock/core/slurm';

// docs/architecture.md against the code: the entry points' values, the folder map, the seam.
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SRC = join(ROOT, 'packages/core/src');
const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
/** Every entry point, loaded statically (a dynamic import of the whole core can outlast a unit test's timeout). */
const ENTRY_POINTS: Record<string, object> = {
  '@tooldock/core': root,
  '@tooldock/core/advanced': advanced,
  '@tooldock/core/cache': cache,
  '@tooldock/core/charliecloud': charliecloud,
  '@tooldock/core/docker': docker,
  '@tooldock/core/images': images,
  '@tooldock/core/provenance': provenance,
  '@tooldock/core/slurm': slurm,
};
const pkg = JSON.parse(readFileSync(join(ROOT, 'packages/core/package.json'), 'utf8')) as { exports: Record<string, unknown> };

/** The text of the section under `## title`, up to the next `## `. */
function section(title: string): string {
  const start = doc.indexOf(`## ${title}\n`);
  expect(start, `docs/architecture.md has a "## ${title}" section`).toBeGreaterThanOrEqual(0);
  const end = doc.indexOf('\n## ', start + 3);
  return doc.slice(start, end === -1 ? undefined : end);
}

/** Every `name` in backticks in `text`. */
function named(text: string): Set<string> {
  const prose = text.replace(/^```[\s\S]*?^```/gm, ''); // fenced code would pair the wrong backticks
  return new Set([...prose.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!));
}

/** The members an interface of `file` declares (`name(`, `name:`, `readonly name`, `name?`). */
function members(file: string, name: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const body = new RegExp(`export interface ${name}\\b[^{]*\\{([\\s\\S]*?)\\n\\}`).exec(text)?.[1];
  expect(body, `${file} declares ${name}`).toBeDefined();
  return [...body!.matchAll(/^ {2}(?:readonly )?(\w+)\??[(:<]/gm)].map((m) => m[1]!);
}

function folders(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((e) => {
      const path = join(dir, e.name);
      const rel = relative(SRC, path);
      // backends/ is mapped two levels deep (each runtime's subfolders are concerns of their own).
      return rel.startsWith('backends') ? [rel, ...folders(path)] : [rel];
    });
}

describe('docs/architecture.md', () => {
  it("lists exactly the values of every entry point package.json exports, the root's in 15 at most", () => {
    // Rows of the "Entry points" table: | `@tooldock/core/x` | `a`, `b` … | why |
    const rows = [...section('Entry points').matchAll(/^\| `(@tooldock\/core(?:\/[\w-]+)?)` \| ([^|]*) \|/gm)];
    const listed = new Map(rows.map((m) => [m[1]!, [...m[2]!.matchAll(/`([^`]+)`/g)].map((n) => n[1]!).sort()]));
    const doors = Object.keys(pkg.exports)
      .filter((k) => k !== './package.json')
      .map((k) => (k === '.' ? '@tooldock/core' : `@tooldock/core/${k.slice(2)}`));
    expect([...listed.keys()].sort()).toEqual(doors.sort());
    expect(Object.keys(ENTRY_POINTS).sort(), 'this test loads every door').toEqual(doors.sort());
    for (const [door, names] of listed) expect(Object.keys(ENTRY_POINTS[door]!).sort(), door).toEqual(names);
    expect(listed.get('@tooldock/core')!.length).toBeLessThanOrEqual(15);
  });

  it('maps exactly the folders of packages/core/src', () => {
    const mapped = [...section('Folders').matchAll(/^\| `([\w/-]+)\/` \|/gm)].map((m) => m[1]!).sort();
    expect(mapped).toEqual(folders(SRC).sort());
  });

  it('describes every method of the seam and every capability of an engine kind', () => {
    const seam = named(doc);
    const wanted = [
      ...members('backends/tool-backend.ts', 'ToolBackend'),
      ...members('backends/tool-backend.ts', 'PreparedTool'),
      ...members('backends/tool-backend.ts', 'LaunchedTool').filter((m) => !['id', 'stdin', 'outputEnded'].includes(m)),
      ...members('backends/engine-kind.ts', 'EngineKind').filter((m) => m !== 'name'),
    ];
    expect(wanted.length).toBeGreaterThan(20); // the interfaces were found
    expect(wanted.filter((m) => ![...seam].some((n) => n === m || n.startsWith(`${m}(`) || n.split(/[ ,·]+/).includes(m)))).toEqual([]);
  });
});
