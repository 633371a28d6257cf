import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidInputError, type MountSpec } from '@tooldock/core';
import { hiddenTempName } from '@tooldock/core/advanced';

/** Inputs must exist before anything starts. */
export function requireFile(field: string, path: string, what = 'file'): void {
  if (!existsSync(path)) throw new InvalidInputError(field, path, `must be an existing ${what}`);
}

/** Outputs must not overwrite inputs, and their directory must exist. */
export function requireOutput(field: string, output: string, inputs: string[]): void {
  const out = resolve(output);
  const clash = inputs.find((i) => resolve(i) === out);
  if (clash) throw new InvalidInputError(field, output, 'is also an input; refusing to overwrite it');
  if (!existsSync(dirname(out)) || !statSync(dirname(out)).isDirectory()) {
    throw new InvalidInputError(field, output, `its directory ${dirname(out)} must exist`);
  }
}

export function requireExtension(field: string, path: string, extensions: string[]): void {
  if (!extensions.some((e) => path.endsWith(e))) {
    throw new InvalidInputError(field, path, `must end with ${extensions.join(' or ')}`);
  }
}

/** Moves finished temp files into place, or removes them after a failure. */
export function settle(renames: Array<[from: string, to: string]>, success: boolean): void {
  for (const [from, to] of renames) {
    if (success) renameSync(from, to);
    else rmSync(from, { force: true, recursive: true });
  }
}

/** Mounts for files read and directories written: each directory once, writable if any write. */
export function mountsFor(read: string[], write: string[]): MountSpec[] {
  const dirs = new Map<string, boolean>();
  for (const file of read) if (file !== '-') dirs.set(dirname(resolve(file)), dirs.get(dirname(resolve(file))) ?? false);
  for (const dir of write) dirs.set(resolve(dir), true);
  return [...dirs].map(([path, writable]) => ({ path, write: writable }));
}

/**
 * Runs `work` with hidden temp names for `outputs` (core's `.<name>.partial-…` convention), then
 * renames them into place — or removes them if it failed — so a failure never leaves a
 * complete-looking output.
 */
export async function producing<T>(outputs: string[], work: (temps: string[]) => Promise<T>): Promise<T> {
  const temps = outputs.map((output) => hiddenTempName(output));
  const pairs = temps.map((t, i): [string, string] => [t, outputs[i]!]);
  try {
    const result = await work(temps);
    settle(pairs, true);
    return result;
  } catch (error) {
    settle(pairs, false);
    throw error;
  }
}
