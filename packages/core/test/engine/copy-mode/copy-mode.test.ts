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
    const result = await runTool(
      busybox,
      [
        'sh',
        '-c',
        [
          'set -e',
          `cat /in/link-to-blob > /out/blob-copy.bin`,
          `stat -c %a /in/run.sh > /out/mode.txt`,
          `readlink /in/link-to-blob > /out/link.txt`,
          '/in/run.sh > /out/script.txt',
          'mkdir -p /out/sub/dir && echo nested > /out/sub/dir/n.txt',
          'ln -s sub/dir/n.txt /out/n-link',
          'echo changed > /in/run.sh', // a read-only mount's copy may change in the container: never copied back
        ].join('\n'),
      ],
      [
        { path: dir, target: '/in' },
        { path: out, target: '/out', write: true },
      ],
    );

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

  it("brings back only the tool's changes: a file changed here while the tool ran is not reverted", async () => {
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

  it('a same-size rewrite within the same second lands (ten quick runs, each one lost none)', async () => {
    const out = tempDir('copy-same-second');
    for (let i = 0; i < 10; i++) {
      const word = i % 2 === 0 ? 'alpha' : 'bravo';
      await runTool(busybox, ['sh', '-c', `printf ${word} > /out/b.txt`], [{ path: out, target: '/out', write: true }]);
      expect(readFileSync(join(out, 'b.txt'), 'utf8')).toBe(word);
    }
  });

  it('mirrors deletions, mode changes, renames and directories as bind mode does', async () => {
    const out = tempDir('copy-exact');
    writeFileSync(join(out, 'same.txt'), 'alpha');
    writeFileSync(join(out, 'gone.txt'), 'gone\n');
    writeFileSync(join(out, 'run.sh'), 'echo\n');
    chmodSync(join(out, 'run.sh'), 0o644);
    writeFileSync(join(out, 'old-name.txt'), 'moved\n');
    mkdirSync(join(out, 'olddir/inner'), { recursive: true });
    writeFileSync(join(out, 'olddir/inner/f'), 'f\n');
    const script =
      'printf bravo > /out/same.txt; rm /out/gone.txt; chmod 755 /out/run.sh; rm -r /out/olddir; mkdir -p /out/new/deep; mv /out/old-name.txt /out/new/deep/new-name.txt';
    const result = await runTool(busybox, ['sh', '-c', script], [{ path: out, target: '/out', write: true }]);
    expect(result.notes).toEqual([]);
    expect(readFileSync(join(out, 'same.txt'), 'utf8')).toBe('bravo');
    expect(lstatSync(join(out, 'run.sh')).mode & 0o777).toBe(0o755);
    expect(readFileSync(join(out, 'new/deep/new-name.txt'), 'utf8')).toBe('moved\n');
    expect(readdirSync(out).sort()).toEqual(['new', 'run.sh', 'same.txt']);
  });

  it('keeps a local file that changed since it was sent, and says so in notes and an event', async () => {
    const out = tempDir('copy-kept');
    writeFileSync(join(out, 'shared.txt'), 'old\n');
    writeFileSync(join(out, 'doomed.txt'), 'doomed\n');
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const events: unknown[] = [];
    const run = runTool(
      busybox,
      ['sh', '-c', 'sleep 1; echo tool > /out/shared.txt; rm /out/doomed.txt'],
      [{ path: out, target: '/out', write: true }],
      {
        onEvent: (e) => {
          if (e.type === 'container:started') started();
          if (e.type === 'outputs:kept-local') events.push(e);
        },
      },
    );
    await running;
    writeFileSync(join(out, 'shared.txt'), 'mine\n');
    writeFileSync(join(out, 'doomed.txt'), 'still mine\n');
    const result = await run;
    expect(readFileSync(join(out, 'shared.txt'), 'utf8')).toBe('mine\n');
    expect(readFileSync(join(out, 'doomed.txt'), 'utf8')).toBe('still mine\n');
    expect(result.notes).toEqual([
      expect.stringMatching(/kept ".*shared\.txt" as it is here: it changed here since it was copied into the tool, and the tool changed it too/),
      expect.stringMatching(/kept ".*doomed\.txt" as it is here: .* the tool deleted it too/),
    ]);
    expect(events).toEqual([
      { type: 'outputs:kept-local', path: join(out, 'shared.txt'), note: result.notes[0] },
      { type: 'outputs:kept-local', path: join(out, 'doomed.txt'), note: result.notes[1] },
    ]);
  });

  it('a failed run with reject: false and copyOutputs "always" carries its kept-local notes too', async () => {
    const out = tempDir('copy-kept-failed');
    writeFileSync(join(out, 'shared.txt'), 'old\n');
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const run = runTool(busybox, ['sh', '-c', 'sleep 1; echo tool > /out/shared.txt; exit 3'], [{ path: out, target: '/out', write: true }], {
      copyOutputs: 'always',
      onEvent: (e) => e.type === 'container:started' && started(),
    });
    await running;
    writeFileSync(join(out, 'shared.txt'), 'mine\n');
    const error = await run.catch((e: unknown) => e as { notes: string[]; exitCode: number });
    expect(error).toMatchObject({ exitCode: 3, notes: [expect.stringMatching(/kept ".*shared\.txt"/)] });
    expect(readFileSync(join(out, 'shared.txt'), 'utf8')).toBe('mine\n');
  });

  it('keeps nested mounts apart, as bind mounts do', async () => {
    const work = tempDir('copy-outer');
    const ref = tempDir('copy-inner');
    mkdirSync(join(work, 'ref'));
    writeFileSync(join(work, 'ref', 'hidden.txt'), 'under the inner mount: the tool must not see this\n');
    writeFileSync(join(ref, 'genome.fa'), '>chr1\nACGT\n');
    const result = await runTool(
      busybox,
      ['sh', '-c', 'ls /work/ref; cat /work/ref/genome.fa > /work/copy.fa'],
      [
        { path: work, target: '/work', write: true },
        { path: ref, target: '/work/ref' },
      ],
    );
    expect(result.stdout).toBe('genome.fa\n');
    expect(readFileSync(join(work, 'copy.fa'), 'utf8')).toBe('>chr1\nACGT\n');
    expect(readdirSync(join(work, 'ref'))).toEqual(['hidden.txt']); // the inner mount's files did not land here
  });
});
