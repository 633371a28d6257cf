import { mkdirSync, readdirSync, renameSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTool } from '@tooldock/core';
import { copyModeResolver, setPathResolver } from '@tooldock/core/advanced';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';
import { rejection } from '#test-support/tool-rejection.js';

const { busybox } = testImages();

/** `/w` with `/w/out` a real directory, and a victim directory elsewhere. */
function layout() {
  const w = tempDir('w');
  const out = join(w, 'out');
  mkdirSync(out);
  const victim = tempDir('victim');
  return { w, out, victim };
}

/** What an earlier tool with `/w:rw` can do: swap `/w/out` for a link to the victim. */
function plantLink(out: string, victim: string): void {
  renameSync(out, `${out}.moved`);
  symlinkSync(victim, out);
}

// Issue 23, item 3: a writable mount root replaced by a symlink was written through — by a cache
// hit's restore, by copy mode's copy-back, and by a { file } sink below it.
describe('never through a link at a writable mount root', () => {
  it('a cache hit for a mount whose root became a link: refused with a ToolError, nothing in the victim', async () => {
    const { out, victim } = layout();
    const cache = tempDir('cache');
    const args = ['sh', '-c', `echo data > ${out}/result.txt`];
    await runTool(busybox, args, [`${out}:rw`], { cache });
    plantLink(out, victim);
    const error = await rejection(runTool(busybox, args, [`${out}:rw`], { cache }));
    expect(error.message).toMatch(/is a symbolic link/);
    expect(readdirSync(victim)).toEqual([]);
  });

  it('copy mode: refused before anything is copied back', async () => {
    const { out, victim } = layout();
    plantLink(out, victim);
    const previous = setPathResolver(copyModeResolver);
    try {
      const error = await rejection(runTool(busybox, ['sh', '-c', `echo data > ${out}/x`], [`${out}:rw`]));
      expect(error.message).toMatch(/is a symbolic link/);
    } finally {
      setPathResolver(previous);
    }
    expect(readdirSync(victim)).toEqual([]);
  });

  it('bind mode: refused before the daemon (which would follow the link) gets the mount', async () => {
    const { out, victim } = layout();
    plantLink(out, victim);
    const error = await rejection(runTool(busybox, ['sh', '-c', `echo data > ${out}/x`], [`${out}:rw`]));
    expect(error.message).toMatch(/writable mount .* is a symbolic link/);
    expect(readdirSync(victim)).toEqual([]);
  });

  it('a { file } sink below a writable mount whose root became a link: refused, nothing written', async () => {
    const { out, victim } = layout();
    mkdirSync(join(victim, 'sub'));
    plantLink(out, victim);
    const error = await rejection(runTool(busybox, ['echo', 'hi'], [`${out}:rw`], { stdout: { file: join(out, 'sub', 'x') } }));
    expect(error.message).toMatch(/symbolic link/);
    expect(readdirSync(join(victim, 'sub'))).toEqual([]);
  });
});
