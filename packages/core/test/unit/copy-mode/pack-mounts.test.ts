import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extract } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { tempDir } from '#test-support/temp-dir.js';
import { packMounts } from '../../../src/backends/docker/copy-mode/pack-mounts.js';

describe('packMounts', () => {
  it('packs a mount whose own path is a symlink from the directory it resolves to, as a bind mount shows it', async () => {
    const base = tempDir('pack-linked');
    mkdirSync(join(base, 'real'));
    writeFileSync(join(base, 'real/data.txt'), 'data\n');
    symlinkSync('data.txt', join(base, 'real/inner-link'));
    symlinkSync('real', join(base, 'link'));
    const archive = packMounts([{ path: join(base, 'link'), target: '/in', write: false }], new Map());
    const seen: string[] = [];
    const tar = extract();
    archive.pipe(tar);
    for await (const entry of tar) {
      const { name, type, linkname } = entry.header;
      seen.push(`${type} ${name}${linkname ? ` -> ${linkname}` : ''}`);
      entry.resume();
    }
    expect(seen).toEqual(['directory in', 'file in/data.txt', 'symlink in/inner-link -> data.txt']);
  });
});
