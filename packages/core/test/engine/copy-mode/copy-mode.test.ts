import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTool } from '@tooldock/core';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';
import { useCopyMode } from '#test-support/use-copy-mode.js';

const { busybox } = testImages();

// Copy mode forced on the local daemon: the same code path as a remote one, checked byte for byte.
describe('copy mode: mounts travel as tar streams, nothing is bind-mounted', () => {
  useCopyMode();

  function inputs(): { dir: string; blob: Buffer } {
    const dir = tempDir('copy-in');
    const blob = randomBytes(3 * 1024 * 1024 + 17);
    mkdirSync(join(dir, 'nested/deeper'), { recursive: true });
    writeFileSync(join(dir, 'nested/deeper/blob.bin'), blob);
    writeFileSync(join(dir, 'run.sh'), '#!/bin/sh\necho script ran\n');
    chmodSync(join(dir, 'run.sh'), 0o750);
    symlinkSync('nested/deeper/blob.bin', join(dir, 'link-to-blob'));
    return { dir, blob };
  }

  it('copies inputs in (contents, modes, symlinks) and writable outputs back, with no daemon mounts', async () => {
    const { dir, blob } = inputs();
    const out = tempDir('copy-out');
    writeFileSync(join(out, 'kept.txt'), 'was here before\n');
    const result = await runTool(busybox, ['sh', '-c', [
      'set -e',
      `cat /in/link-to-blob > /out/blob-copy.bin`,
      `stat -c %a /in/run.sh > /out/mode.txt`,
      `readlink /in/link-to-blob > /out/link.txt`,
      '/in/run.sh > /out/script.txt',
      'mkdir -p /out/sub/dir && echo nested > /out/sub/dir/n.txt',
      'ln -s sub/dir/n.txt /out/n-link',
      'echo changed > /in/run.sh', // a read-only mount's copy may change in the container: never copied back
    ].join('\n')], [{ path: dir, target: '/in' }, { path: out, target: '/out', write: true }]);

    expect(result.mounts.map((m) => m.source.type)).toEqual(['copy', 'copy']);
    expect(readFileSync(join(out, 'blob-copy.bin')).equals(blob)).toBe(true);
    expect(readFileSync(join(out, 'mode.txt'), 'utf8')).toBe('750\n');
    expect(readFileSync(join(out, 'link.txt'), 'utf8')).toBe('nested/deeper/blob.bin\n');
    expect(readFileSync(join(out, 'script.txt'), 'utf8')).toBe('script ran\n');
    expect(readFileSync(join(out, 'sub/dir/n.txt'), 'utf8')).toBe('nested\n');
    expect(readlinkSync(join(out, 'n-link'))).toBe('sub/dir/n.txt');
    expect(readFileSync(join(out, 'kept.txt'), 'utf8')).toBe('was here before\n');
    expect(readFileSync(join(dir, 'run.sh'), 'utf8')).toBe('#!/bin/sh\necho script ran\n');
    expect(readdirSync(out).filter((n) => n.startsWith('.tooldock'))).toEqual([]);
  });

  it('copies a single writable file back in place', async () => {
    const dir = tempDir('copy-file');
    const file = join(dir, 'counter.txt');
    writeFileSync(file, '1\n');
    await runTool(busybox, ['sh', '-c', 'echo 2 >> /work/c.txt'], [{ path: file, target: '/work/c.txt', write: true }]);
    expect(readFileSync(file, 'utf8')).toBe('1\n2\n');
    expect(readdirSync(dir)).toEqual(['counter.txt']);
  });

  it('leaves local files untouched when the tool fails, unless asked to keep what it wrote', async () => {
    const out = tempDir('copy-fail');
    const script = `echo partial > ${out}/result.txt; exit 3`;
    const failed = await runTool(busybox, ['sh', '-c', script], [`${out}:rw`], { reject: false });
    expect(failed.exitCode).toBe(3);
    expect(existsSync(join(out, 'result.txt'))).toBe(false);

    const kept = await runTool(busybox, ['sh', '-c', script], [`${out}:rw`], { reject: false, copyOutputs: 'always' });
    expect(kept.exitCode).toBe(3);
    expect(readFileSync(join(out, 'result.txt'), 'utf8')).toBe('partial\n');
  });

  it('runs tools as the caller: the copied-in directory is theirs to write', async () => {
    const out = tempDir('copy-owner');
    const result = await runTool(busybox, ['sh', '-c', 'id -u > /out/uid; touch /out/made'], [{ path: out, target: '/out', write: true }]);
    expect(readFileSync(join(out, 'uid'), 'utf8').trim()).toBe(result.user.split(':')[0]);
    expect(lstatSync(join(out, 'made')).uid).toBe(process.getuid!());
  });

  it('brings back only the tool\'s changes: a file changed here while the tool ran is not reverted', async () => {
    const out = tempDir('copy-race');
    writeFileSync(join(out, 'shared.txt'), 'old\n');
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const run = runTool(busybox, ['sh', '-c', `sleep 1; echo mine > ${out}/own.txt`], [`${out}:rw`], {
      onEvent: (e) => e.type === 'container:started' && started(),
    });
    await running; // inputs are in the container now
    writeFileSync(join(out, 'shared.txt'), 'changed here meanwhile, by another run\n');
    await run;
    expect(readFileSync(join(out, 'shared.txt'), 'utf8')).toBe('changed here meanwhile, by another run\n');
    expect(readFileSync(join(out, 'own.txt'), 'utf8')).toBe('mine\n');
  });

  it('keeps nested mounts apart, as bind mounts do', async () => {
    const work = tempDir('copy-outer');
    const ref = tempDir('copy-inner');
    mkdirSync(join(work, 'ref'));
    writeFileSync(join(work, 'ref', 'hidden.txt'), 'under the inner mount: the tool must not see this\n');
    writeFileSync(join(ref, 'genome.fa'), '>chr1\nACGT\n');
    const result = await runTool(busybox, ['sh', '-c', 'ls /work/ref; cat /work/ref/genome.fa > /work/copy.fa'],
      [{ path: work, target: '/work', write: true }, { path: ref, target: '/work/ref' }]);
    expect(result.stdout).toBe('genome.fa\n');
    expect(readFileSync(join(work, 'copy.fa'), 'utf8')).toBe('>chr1\nACGT\n');
    expect(readdirSync(join(work, 'ref'))).toEqual(['hidden.txt']); // the inner mount's files did not land here
  });
});
