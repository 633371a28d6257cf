import { stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { RunSpec } from '../lifecycle/run-context.js';
import { ensureOwnDirectory } from '../util/own-directory.js';
import type { TreeEntry } from './file-tree.js';

/**
 * Files this cache wrote (a stored run's outputs, or a hit's restored ones), known by inode, size
 * and mtime (a recipe's rename keeps all three). A notebook keeps reads, references and outputs
 * in one folder: were every such output part of the key of each call reading that folder
 * read-only, a step would depend on its own downstream results and re-runs would never hit.
 * So a file the cache produced counts as an input of a call only when the call names it (below);
 * files the cache did not write — the user's data — always count.
 */
export class ProducedFiles {
  constructor(private readonly dir: string) {}

  async mark(path: string): Promise<void> {
    const stats = await stat(path);
    await ensureOwnDirectory(join(this.dir, 'produced'));
    await writeFile(this.markerOf(stats), '');
  }

  async produced(entry: TreeEntry): Promise<boolean> {
    return (
      entry.kind === 'file' &&
      (await stat(this.markerOf(entry)).then(
        () => true,
        () => false,
      ))
    );
  }

  private markerOf(file: { ino: number; size: number; mtimeMs: number }): string {
    return join(this.dir, 'produced', `${file.ino}-${file.size}-${Math.floor(file.mtimeMs)}`);
  }
}

/**
 * Whether the call names one of `paths` (one file's names: resolved, as mounted, in the container),
 * or a folder or prefix of it ( `ref.fa` names `ref.fa.bwt`,
 * `x.bam` names `x.bam.bai`, `/data/*.fq` names everything in /data) in its args or env values.
 */
export function namedByCall(spec: RunSpec, paths: string[]): boolean {
  const words = [...spec.args, ...Object.values(spec.options.env ?? {})].flatMap((w) => w.split(/[\s=:,;'"<>|]/));
  return words.some((word) => {
    const unglobbed = word.split(/[*?[]/)[0]!;
    if (!unglobbed) return false;
    const absolute = isAbsolute(unglobbed) ? unglobbed : spec.options.cwd ? resolve(spec.options.cwd, unglobbed) : undefined;
    return absolute !== undefined && absolute !== '/' && paths.some((path) => path.startsWith(absolute.replace(/\/+$/, '')));
  });
}
