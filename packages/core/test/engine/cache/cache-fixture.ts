import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTool, type RunOptions, type RunResult, type ToolEvent } from '@tooldock/core';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

export const { busybox, bio } = testImages();

/** A work folder: `in/` (read-only input a.txt), `out/` (writable), and a cache directory. */
export function workFolder(name: string): { dir: string; input: string; out: string; cache: string } {
  const dir = tempDir(`cache-${name}`);
  const input = join(dir, 'in');
  const out = join(dir, 'out');
  mkdirSync(input);
  mkdirSync(out);
  writeFileSync(join(input, 'a.txt'), 'alpha\n');
  return { dir, input, out, cache: join(dir, 'cache') };
}

/** A run and how many containers it created (0 on a hit). */
export async function counted(
  image: string,
  args: string[],
  mounts: string[],
  options: RunOptions,
): Promise<{ result: RunResult; containers: number }> {
  let containers = 0;
  const onEvent = (event: ToolEvent) => {
    if (event.type === 'container:created') containers++;
  };
  const result = await runTool(image, args, mounts, { ...options, onEvent });
  return { result, containers };
}

/** Copies in/a.txt to out/b.txt, prints to both streams. */
export function copyScript(f: { input: string; out: string }, extra = ''): string[] {
  return [
    'sh',
    '-c',
    `cat ${f.input}/a.txt > ${f.out}/b.txt; mkdir -p ${f.out}/sub; echo nested > ${f.out}/sub/c.txt; echo out-line; echo err-line >&2${extra}`,
  ];
}
