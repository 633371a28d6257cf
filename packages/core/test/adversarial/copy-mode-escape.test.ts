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

  for (const [kind, linkTo] of [['absolute', (outside: string) => outside], ['relative', () => '../outside']] as const) {
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
    const error = await runTool(busybox, ['sh', '-c', 'rm /tmp/c.txt && ln -s /etc/shadow /tmp/c.txt'],
      [{ path: file, target: '/tmp/c.txt', write: true }]).then(() => undefined, (e: unknown) => e);
    expect(isToolError(error)).toBe(true);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toMatch(/replaced it by a symlink \(to "\/etc\/shadow"\)/);
    expect(lstatSync(file).isFile()).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('1\n');
    expect(readdirSync(dir)).toEqual(['counter.txt']);
  });

  it('a mount whose own path is a symlink shows the tool what a bind mount shows, and takes its outputs', async () => {
    const dir = tempDir('copy-escape-linked');
    mkdirSync(join(dir, 'real'));
    writeFileSync(join(dir, 'real/hello.txt'), 'hello\n');
    symlinkSync('real', join(dir, 'link'));
    const mounts: MountSpec[] = [{ path: join(dir, 'link'), target: '/data', write: true }];
    const script = 'cat /data/hello.txt; ls -la /data | grep -c hello; echo made > /data/made.txt';

    const copied = await runTool(busybox, ['sh', '-c', script], mounts);
    expect(copied.stdout).toBe('hello\n1\n');
    expect(readlinkSync(join(dir, 'link'))).toBe('real');
    expect(readFileSync(join(dir, 'real/made.txt'), 'utf8')).toBe('made\n');
    expect(readdirSync(dir)).toEqual(['link', 'real']);

    setPathResolver(sameHostResolver);
    try {
      const bound = await runTool(busybox, ['sh', '-c', script], mounts);
      expect(bound.stdout).toBe(copied.stdout);
    } finally {
      setPathResolver(copyModeResolver);
    }
  });
});
