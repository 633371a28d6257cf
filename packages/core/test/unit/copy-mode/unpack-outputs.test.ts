import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { tempDir } from '#test-support/temp-dir.js';
import type { LocalMount } from '../../../src/api/mount-spec.js';
import { stagingName } from '../../../src/backends/docker/copy-mode/staging.js';
import { unpackOutputs } from '../../../src/backends/docker/copy-mode/unpack-outputs.js';
import type { SyncReport } from '../../../src/backends/docker/copy-mode/sync-commit.js';
import { sentByPacking } from './sent-by-packing.js';
import { archiveStream, buildTar, type TarEntry } from './tar-builder.js';

// Regression cases for copy mode writing outside a mount (the tar-fs CVE-2024-12905 class):
// a tool's symlinks, or a spoofed daemon's archive, must never redirect where files land.

/** A destination `out/` with an empty sibling `outside/` that must stay empty. */
function sandbox(): { out: string; outside: string; mount: LocalMount } {
  const root = tempDir('unpack-escape');
  const out = join(root, 'out');
  const outside = join(root, 'outside');
  mkdirSync(out);
  mkdirSync(outside);
  return { out, outside, mount: { path: out, target: '/out', write: true } };
}

/** Sends the mount's local tree as copy mode would, then unpacks `entries` as what the tool left. */
async function unpack(entries: TarEntry[], mount: LocalMount): Promise<SyncReport> {
  const sent = await sentByPacking([mount]);
  return unpackOutputs(archiveStream(await buildTar(entries)), mount, { sent, allTargets: [mount.target] });
}

const root: TarEntry = { name: 'out/', type: 'directory', mode: 0o755 };

describe('copy-back never follows a symlink in the middle of a path', () => {
  for (const [kind, linkTo] of [
    ['absolute', (outside: string) => outside],
    ['relative', () => '../outside'],
  ] as const) {
    it(`run 1 leaves out/evil -> outside (${kind}); run 2 makes evil a directory: files land in out/evil, not outside`, async () => {
      const { out, outside, mount } = sandbox();
      await unpack([root, { name: 'out/evil', type: 'symlink', linkname: linkTo(outside) }], mount);
      expect(readlinkSync(join(out, 'evil'))).toBe(linkTo(outside)); // a symlink is brought back as a symlink

      await unpack([root, { name: 'out/evil/', type: 'directory', mode: 0o755 }, { name: 'out/evil/pwned.txt', content: 'pwned\n' }], mount);
      expect(readdirSync(outside)).toEqual([]);
      // The tool replaced its symlink by a directory: mirrored, without following the link.
      expect(lstatSync(join(out, 'evil')).isDirectory()).toBe(true);
      expect(readFileSync(join(out, 'evil/pwned.txt'), 'utf8')).toBe('pwned\n');
    });
  }

  it('a directory entry missing from the archive does not let a file through a local symlink either', async () => {
    const { out, outside, mount } = sandbox();
    symlinkSync(outside, join(out, 'evil'));
    await unpack([root, { name: 'out/evil/deeper/pwned.txt', content: 'pwned\n' }], mount);
    expect(readdirSync(outside)).toEqual([]);
    expect(readFileSync(join(out, 'evil/deeper/pwned.txt'), 'utf8')).toBe('pwned\n');
  });

  it('rejects a crafted archive with a file below its own symlink entry, writing nothing', async () => {
    const { out, outside, mount } = sandbox();
    const crafted = unpack(
      [root, { name: 'out/evil', type: 'symlink', linkname: outside }, { name: 'out/evil/pwned.txt', content: 'pwned\n' }],
      mount,
    );
    await expect(crafted).rejects.toThrow(/evil\/pwned\.txt/);
    expect(readdirSync(outside)).toEqual([]);
    expect(readdirSync(out)).toEqual([]);
  });

  it('a hard link to a symlink entry pointing outside becomes that symlink, never a copy of what it points at', async () => {
    const { out, outside, mount } = sandbox();
    writeFileSync(join(outside, 'secret'), 'secret\n');
    symlinkSync(join(outside, 'secret'), join(out, 'secret-link'));
    // The link is unchanged (so not staged): the old fallback copied the file it points at.
    await unpack(
      [
        root,
        { name: 'out/secret-link', type: 'symlink', linkname: join(outside, 'secret') },
        { name: 'out/copy', type: 'link', linkname: 'out/secret-link' },
      ],
      mount,
    );
    expect(readlinkSync(join(out, 'copy'))).toBe(join(outside, 'secret'));
    expect(readFileSync(join(outside, 'secret'), 'utf8')).toBe('secret\n');
  });

  it('rejects a hard link to a name that is no earlier entry of the archive, or lies outside', async () => {
    const { out, outside, mount } = sandbox();
    writeFileSync(join(outside, 'secret'), 'secret\n');
    symlinkSync(join(outside, 'secret'), join(out, 'secret-link'));
    for (const linkname of ['out/secret-link', '../outside/secret', join(outside, 'secret')]) {
      await expect(unpack([root, { name: 'out/copy', type: 'link', linkname }], mount)).rejects.toThrow(/copy/);
    }
    expect(readdirSync(out)).toEqual(['secret-link']);
  });

  it('rejects absolute names and .. with an error naming the entry', async () => {
    const { outside, mount } = sandbox();
    await expect(unpack([root, { name: 'out/../outside/x', content: 'x' }], mount)).rejects.toThrow(/\.\.\/outside\/x/);
    await expect(unpack([root, { name: `${outside}/y`, content: 'y' }], mount)).rejects.toThrow(/outside\/y/);
    expect(readdirSync(outside)).toEqual([]);
  });

  it('turns a name too long for this filesystem into a plain Error naming it', async () => {
    const { out, mount } = sandbox();
    const long = `out/${'n'.repeat(300)}`;
    const error = await unpack([root, { name: long, content: 'x' }], mount).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('n'.repeat(40));
    expect((error as Error).message).toMatch(/^copy mode could not write .*: the name is too long for this filesystem$/);
    expect(readdirSync(out)).toEqual([]);
  });

  it('turns a path deeper than PATH_MAX into a plain Error and leaves no staging behind', async () => {
    const { out, mount } = sandbox();
    const deep = Array.from({ length: 30 }, (_, i) => `${i}`.padEnd(200, 'd')).join('/');
    const error = await unpack([root, { name: `out/${deep}/f`, content: 'x' }], mount).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^copy mode could not write .*: the name is too long for this filesystem$/);
    expect(readdirSync(out)).toEqual([]);
  });

  it('refuses a mount directory the tool replaced by a symlink', async () => {
    const { out, mount } = sandbox();
    await expect(unpack([{ name: 'out', type: 'symlink', linkname: '/etc' }], mount)).rejects.toThrow(
      /replaced the mount's directory \/out by a symlink/,
    );
    expect(lstatSync(out).isDirectory()).toBe(true);
  });
});

describe('hard links the tool made', () => {
  it('to a new file: a hard link here too; to a file it left unchanged: a copy of the local one', async () => {
    const { out, mount } = sandbox();
    writeFileSync(join(out, 'kept.txt'), 'kept\n');
    const kept = lstatSync(join(out, 'kept.txt'));
    const sent = await sentByPacking([mount]);
    const tar = await buildTar([
      root,
      { name: 'out/new.txt', content: 'new\n' },
      { name: 'out/sub/new-link', type: 'link', linkname: 'out/new.txt' },
      { name: 'out/kept.txt', content: 'kept\n', mtime: kept.mtime },
      { name: 'out/kept-link', type: 'link', linkname: 'out/kept.txt' },
    ]);
    await unpackOutputs(archiveStream(tar), mount, { sent, allTargets: ['/out'] });
    expect(lstatSync(join(out, 'sub/new-link')).ino).toBe(lstatSync(join(out, 'new.txt')).ino);
    expect(readFileSync(join(out, 'sub/new-link'), 'utf8')).toBe('new\n');
    expect(readFileSync(join(out, 'kept-link'), 'utf8')).toBe('kept\n');
    expect(lstatSync(join(out, 'kept.txt')).ino).toBe(kept.ino); // left alone
  });
});

describe('a single-file writable mount comes back only as a regular file', () => {
  for (const [what, entry] of [
    ['a symlink to /etc/shadow', { name: 'c.txt', type: 'symlink', linkname: '/etc/shadow' }],
    ['a directory', { name: 'c.txt/', type: 'directory' }],
    ['a hard link', { name: 'c.txt', type: 'link', linkname: 'c.txt' }],
  ] as const) {
    it(`the tool replaced the file by ${what}: a clear error, local file untouched`, async () => {
      const dir = tempDir('unpack-file');
      const file = join(dir, 'counter.txt');
      writeFileSync(file, '1\n');
      const mount: LocalMount = { path: file, target: '/tmp/c.txt', write: true };
      const entries: TarEntry[] = [entry];
      if (entry.type === 'directory') entries.push({ name: 'c.txt/inner', content: 'x' });
      await expect(unpack(entries, mount)).rejects.toThrow(new RegExp(`${file}.*(not a regular file|replaced)`));
      expect(lstatSync(file).isFile()).toBe(true);
      expect(readFileSync(file, 'utf8')).toBe('1\n');
      expect(readdirSync(dir)).toEqual(['counter.txt']);
    });
  }
});

describe('a mount whose own path is a symlink is unpacked into the directory it points at', () => {
  it('writes into the real directory and leaves the link a link', async () => {
    const base = tempDir('unpack-linked');
    mkdirSync(join(base, 'real'));
    symlinkSync('real', join(base, 'link'));
    const mount: LocalMount = { path: join(base, 'link'), target: '/out', write: true };
    await unpack([root, { name: 'out/made.txt', content: 'made\n' }], mount);
    expect(readlinkSync(join(base, 'link'))).toBe('real');
    expect(readFileSync(join(base, 'real/made.txt'), 'utf8')).toBe('made\n');
  });
});

describe('an entry whose type differs from what is here', () => {
  it('a directory where a local file is: the file is replaced by the directory', async () => {
    const { out, mount } = sandbox();
    writeFileSync(join(out, 'x'), 'was a file\n');
    await unpack([root, { name: 'out/x/', type: 'directory' }, { name: 'out/x/y', content: 'y\n' }], mount);
    expect(readFileSync(join(out, 'x/y'), 'utf8')).toBe('y\n');
  });

  it('a file where a directory was sent: the tool removed the directory, so does the copy-back', async () => {
    const { out, mount } = sandbox();
    mkdirSync(join(out, 'x'));
    writeFileSync(join(out, 'x/sent'), 'sent\n');
    const report = await unpack([root, { name: 'out/new.txt', content: 'n' }, { name: 'out/x', content: 'now a file\n' }], mount);
    expect(readFileSync(join(out, 'x'), 'utf8')).toBe('now a file\n');
    expect(readFileSync(join(out, 'new.txt'), 'utf8')).toBe('n');
    expect(report).toMatchObject({ deleted: [join(out, 'x/sent')], written: expect.arrayContaining([join(out, 'x')]), kept: [] });
  });

  it('a file where a directory is that gained a file here meanwhile: the directory is kept, and said so', async () => {
    const { out, mount } = sandbox();
    mkdirSync(join(out, 'x'));
    const sent = await sentByPacking([mount]);
    writeFileSync(join(out, 'x/mine'), 'mine\n');
    const tar = await buildTar([root, { name: 'out/new.txt', content: 'n' }, { name: 'out/x', content: 'now a file\n' }]);
    const report = await unpackOutputs(archiveStream(tar), mount, { sent, allTargets: ['/out'] });
    expect(readFileSync(join(out, 'x/mine'), 'utf8')).toBe('mine\n');
    expect(readFileSync(join(out, 'new.txt'), 'utf8')).toBe('n');
    expect(report.kept).toEqual([{ path: join(out, 'x'), note: expect.stringMatching(/kept the directory .*\/x.*still holds files kept here/) }]);
  });
});

describe('an archive cut short (a daemon connection dropped mid-copy)', () => {
  it('rejects, whether cut in a header or in a file, and leaves nothing behind', async () => {
    const { out, mount } = sandbox();
    const tar = await buildTar([root, { name: 'out/a', content: 'x'.repeat(2000) }]);
    for (const cut of [600, 1024, 1100, 2047, 3000]) {
      const settled = await Promise.race([
        unpackOutputs(archiveStream(tar.subarray(0, cut)), mount, { sent: new Map(), allTargets: ['/out'] }).then(
          () => 'resolved',
          (e: Error) => e.message,
        ),
        new Promise((resolve) => setTimeout(() => resolve('still pending after 2 s'), 2000)),
      ]);
      expect(settled).toMatch(/cut short|Unexpected end of data/);
    }
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('staging left by a killed process', () => {
  it('is removed when the next copy-back into the same directory starts', async () => {
    const { out, mount } = sandbox();
    const dead = stagingName().replace(/-\d+-([0-9a-f]{12})$/, `-${spawnSync(process.execPath, ['-e', '0']).pid}-$1`);
    mkdirSync(join(out, dead));
    writeFileSync(join(out, dead, 'half.bam'), 'half');
    await unpack([root, { name: 'out/new.txt', content: 'new\n' }], mount);
    expect(readdirSync(out)).toEqual(['new.txt']);
  });
});

describe('a run ended (canceled, timed out) while its outputs come back', () => {
  // The run may already have settled as canceled: nothing may appear in the caller's files after that.
  it('an aborted signal: rejects, and the destination is untouched', async () => {
    const { out, mount } = sandbox();
    writeFileSync(join(out, 'old.txt'), 'before\n');
    const tar = await buildTar([
      root,
      { name: 'out/old.txt', content: 'changed by the tool\n' },
      { name: 'out/sub/', type: 'directory' },
      { name: 'out/sub/new.txt', content: 'new\n' },
    ]);
    const controller = new AbortController();
    controller.abort(new Error('canceled'));
    const unpacking = unpackOutputs(archiveStream(tar), mount, { sent: new Map(), allTargets: ['/out'], signal: controller.signal });
    await expect(unpacking).rejects.toThrow(/stopped bringing back the outputs of \/out: the run was ended/);
    expect(readdirSync(out)).toEqual(['old.txt']);
    expect(readFileSync(join(out, 'old.txt'), 'utf8')).toBe('before\n');
  });

  it('aborted while the archive arrives: what was staged is removed, nothing is moved in', async () => {
    const { out, mount } = sandbox();
    // The root directory's header (512), a.bin's header (512) and its 2048 bytes: a.bin is complete, b.txt is not sent yet.
    const tar = await buildTar([root, { name: 'out/a.bin', content: 'a'.repeat(2048) }, { name: 'out/b.txt', content: 'b\n' }]);
    const archive = new PassThrough();
    const controller = new AbortController();
    const unpacking = unpackOutputs(archive, mount, { sent: new Map(), allTargets: ['/out'], signal: controller.signal }).then(
      () => 'resolved',
      (e: Error) => e.message,
    );
    archive.write(tar.subarray(0, 3072));
    const staged = await waitFor(() => readdirSync(out).some((name) => name.startsWith('.tooldock-staging-')));
    expect(staged).toBe(true); // a.bin waits in staging
    controller.abort(new Error('timed out'));
    archive.end(tar.subarray(3072));
    expect(await unpacking).toMatch(/the run was ended/);
    expect(readdirSync(out)).toEqual([]);
  });
});

async function waitFor(condition: () => boolean, ms = 2000): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 10))) {
    if (condition()) return true;
  }
  return condition();
}
