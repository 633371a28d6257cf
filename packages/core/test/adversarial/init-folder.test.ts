import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { initNotebookFolder } from '../../src/bin/init-notebook-folder.js';
import { tempDir } from '#test-support/temp-dir.js';

let errors: string[];
beforeEach(() => {
  errors = [];
  vi.spyOn(console, 'error').mockImplementation((line: unknown) => void errors.push(String(line)));
});
afterEach(() => vi.restoreAllMocks());

/** init in `folder`: the exit code, and what it printed as errors. */
async function init(folder: string): Promise<number> {
  return initNotebookFolder({ base: folder, fromRegistry: true });
}

// Issue 23, weak item: `tooldock init` met a malformed/null/JSONC manifest or a read-only folder
// with a raw stack trace (after rewriting package.json already), and wrote through a symlinked package.json.
describe('tooldock init validates everything before writing anything', () => {
  it.each([
    ['malformed', '{"name": "x",'],
    ['null', 'null'],
    ['an array', '[]'],
  ])('a %s package.json: one clear error, nothing written', async (_what, text) => {
    const folder = tempDir('init');
    writeFileSync(join(folder, 'package.json'), text);
    expect(await init(folder)).toBe(1);
    expect(errors.join('\n')).toMatch(/^tooldock init: package\.json: .* is not valid: must (be plain JSON|hold a JSON object)/);
    expect(readFileSync(join(folder, 'package.json'), 'utf8')).toBe(text);
  });

  it('a JSONC deno.json: package.json is left as it was too', async () => {
    const folder = tempDir('init');
    writeFileSync(join(folder, 'package.json'), '{"name":"mine"}');
    writeFileSync(join(folder, 'deno.json'), '{\n  // comment\n  "tasks": {}\n}');
    expect(await init(folder)).toBe(1);
    expect(errors.join('\n')).toMatch(/deno\.json: .* must be plain JSON/);
    expect(readFileSync(join(folder, 'package.json'), 'utf8')).toBe('{"name":"mine"}');
  });

  it("a package.json that is a symlink to another project's: refused, the other file untouched", async () => {
    const other = tempDir('other');
    writeFileSync(join(other, 'package.json'), '{"name":"other"}');
    const folder = tempDir('init');
    symlinkSync(join(other, 'package.json'), join(folder, 'package.json'));
    expect(await init(folder)).toBe(1);
    expect(errors.join('\n')).toMatch(/not a symbolic link/);
    expect(readFileSync(join(other, 'package.json'), 'utf8')).toBe('{"name":"other"}');
  });

  // Registered for non-root callers only (root writes anyway); the non-root re-run of this file runs it.
  if (process.getuid?.() !== 0)
    it('a read-only folder: one clear error (non-root: root writes anyway)', async () => {
      const folder = join(tempDir('init'), 'ro');
      mkdirSync(folder);
      chmodSync(folder, 0o555);
      expect(await init(folder)).toBe(1);
      expect(errors.join('\n')).toMatch(/folder: .* must be writable/);
    });
});
