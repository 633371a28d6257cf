import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isToolError, runTool, type MountSpec } from '@tooldock/core';
import { copyModeResolver, sameHostResolver, setPathResolver } from '@tooldock/core/advanced';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';
import { useCopyMode } from '#test-support/use-copy-mode.js';

const { busybox } = testImages();

// Threat model, "the tool": nothing it writes may make tooldock create or change a file outside
// the destination. In copy mode the outputs come back as a tar that we unpack ourselves, so a
// tool's symlinks must not steer where that unpacking writes (the tar-fs CVE-2024-12905 class).
describe('copy mode: a hostile tool cannot make the copy-back write outside its mount', () => {
  useCopyMode();

  /** `<dir>/out` (the writable mount) beside `<dir>/outside`, which must stay empty. */
  function sandbox(): { out: string; outside: string } {
    const dir = tempDir('copy-escape');
    mkdirSync(join(dir, 'out'));
    mkdirSync(join(dir, 'outside'));
    return { out: join(dir, 'out'), outside: join(dir, 'outside') };
  }

  for (const [kind, linkTo] of [
    ['absolute', (outside: string) => outside],
    ['relative', () => '../outside'],
  ] as const) {
    it(`run 1 leaves out/evil -> outside (${kind}); run 2 makes evil a directory and writes in it: nothing lands outside`, async () => {
      const { out, outside } = sandbox();
      const mounts: MountSpec[] = [{ path: out, target: '/out', write: true }];
      await runTool(busybox, ['ln', '-s', linkTo(outside), '/out/evil'], mounts);
      expect(readlinkSync(join(out, 'evil'))).toBe(linkTo(outside));

      await runTool(busybox, ['sh', '-c', 'rm /out/evil && mkdir /out/evil && echo pwned > /out/evil/pwned.txt'], mounts);
      expect(readdirSync(outside)).toEqual([]);
      // As the tool left it (and as a bind mount would): a real directory, the link gone.
      expect(lstatSync(join(out, 'evil')).isDirectory()).toBe(true);
      expect(readFileSync(join(out, 'evil/pwned.txt'), 'utf8')).toBe('pwned\n');
      expect(readdirSync(out).filter((n) => n.startsWith('.tooldock-staging-'))).toEqual([]);
    });
  }

  it('a single-file mount the tool replaced by a symlink to /etc/shadow fails the run and stays the file it was', async () => {
    const dir = tempDir('copy-escape-file');
    const file = join(dir, 'counter.txt');
    writeFileSync(file, '1\n');
    const error = await runTool(
      busybox,
      ['sh', '-c', 'rm /tmp/c.txt && ln -s /etc/shadow /tmp/c.txt'],
      [{ path: file, target: '/tmp/c.txt', write: true }],
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isToolError(error)).toBe(true);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toMatch(/replaced it by a symlink \(to "\/etc\/shadow"\)/);
    expect(lstatSync(file).isFile()).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('1\n');
    expect(readdirSync(dir)).toEqual(['counter.txt']);
  });

  // Round three (docs/security.md): a link at a writable mount's root may have been planted by an
  // earlier tool with write access above it, so it is never written through — in either mode; the
  // caller passes the real path. A read-only mount through a link reads as a bind mount would.
  it('a writable mount whose own path is a symlink is refused in copy and bind mode alike; read-only it reads as bind mode', async () => {
    const dir = tempDir('copy-escape-linked');
    mkdirSync(join(dir, 'real'));
    writeFileSync(join(dir, 'real/hello.txt'), 'hello\n');
    symlinkSync('real', join(dir, 'link'));
    const writable: MountSpec[] = [{ path: join(dir, 'link'), target: '/data', write: true }];
    const readOnly: MountSpec[] = [{ path: join(dir, 'link'), target: '/data' }];
    const write = 'echo made > /data/made.txt';
    const read = 'cat /data/hello.txt; ls -la /data | grep -c hello';

    const refusedCopied = await runTool(busybox, ['sh', '-c', write], writable).then(
      () => undefined,
      (e: unknown) => e,
    );
    const copiedRead = await runTool(busybox, ['sh', '-c', read], readOnly);
    setPathResolver(sameHostResolver);
    try {
      const refusedBound = await runTool(busybox, ['sh', '-c', write], writable).then(
        () => undefined,
        (e: unknown) => e,
      );
      const boundRead = await runTool(busybox, ['sh', '-c', read], readOnly);
      for (const refused of [refusedCopied, refusedBound]) {
        expect(isToolError(refused)).toBe(true);
        expect((refused as Error).message).toContain('is a symbolic link');
        expect((refused as Error).message).toContain('pass the real path');
      }
      expect(copiedRead.stdout).toBe('hello\n1\n');
      expect(boundRead.stdout).toBe(copiedRead.stdout);
    } finally {
      setPathResolver(copyModeResolver);
    }
    expect(readlinkSync(join(dir, 'link'))).toBe('real');
    expect(readdirSync(join(dir, 'real'))).toEqual(['hello.txt']);
    expect(readdirSync(dir)).toEqual(['link', 'real']);
  });
});
