import { createWriteStream } from 'node:fs';
import { chmod, rename, unlink, utimes } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { parentOf } from '../backends/docker/copy-mode/archive-name.js';
import { DestinationTree } from '../backends/docker/copy-mode/destination-tree.js';
import { refuseLinkedRoot } from '../util/link-safety.js';
import { hiddenTempName } from '../util/hidden-temp-name.js';
import type { FileFingerprint } from '../layers/run-trace.js';
import type { CacheEntry, StoredOutput } from './cache-entry.js';
import { TamperedBlob, type CacheStore } from './cache-store.js';
import { hashFile, sameMtime } from './file-tree.js';
import { actualPath } from './partial-names.js';
import { ProducedFiles } from './produced-files.js';
import type { MountState } from './writable-state.js';
import { TooldockError } from '../errors/tooldock-error.js';

/** A hit that cannot be served as stored (a temp name this call lacks, a blob gone): run the tool. */
export class CannotRestore extends TooldockError {
  readonly code = 'ERR_TOOLDOCK_CANNOT_RESTORE';
}

/**
 * Puts a hit's outputs back where the run left them: each missing or changed one is copied from
 * its blob to a hidden temp file beside it (checking the bytes against the blob's name), given
 * its mode and mtime, then renamed into place — never a half-restored file. Unchanged ones are
 * left alone. Directories on the way are reached without following symlinks (copy mode's
 * DestinationTree): a link planted where an output goes is replaced, never written through.
 */
export async function restoreOutputs(store: CacheStore, entry: CacheEntry, states: MountState[], args: string[]): Promise<FileFingerprint[]> {
  // The rule of every writer (destination-tree.ts): not through a writable mount's root swapped for a link.
  for (const state of states) await refuseLinkedRoot(state.path);
  const trees = new Map(states.map((s) => [s.mount, new DestinationTree(s.base)]));
  const treeOf = (mount: number) => trees.get(mount) ?? fail(`writable mount ${mount} is not in this call`);
  for (const dir of entry.directories) await treeOf(dir.mount).ensureDirectory(safeRel(dir.rel));
  const restored: FileFingerprint[] = [];
  const produced = new ProducedFiles(store.dir);
  for (const output of entry.outputs) {
    const rel = safeRel(actualPath(output.rel, args) ?? fail(`this call has no temp name for ${output.rel}`));
    const tree = treeOf(output.mount);
    const path = tree.path(rel);
    if (!(await unchanged(tree, rel, output))) await restoreFile(store, tree, rel, output);
    await produced.mark(path);
    restored.push({ path, size: output.size, mtimeMs: output.mtimeMs, sha256: output.sha256 });
  }
  return restored;
}

/** Same size and mtime (restores keep the stored mtime), or same bytes. */
async function unchanged(tree: DestinationTree, rel: string, output: StoredOutput): Promise<boolean> {
  const here = await tree.probe(rel);
  if (!here?.isFile() || here.size !== output.size) return false;
  if (sameMtime(here.mtimeMs, output.mtimeMs)) return true;
  return (await hashFile(tree.path(rel)).catch(() => '')) === output.sha256;
}

async function restoreFile(store: CacheStore, tree: DestinationTree, rel: string, output: StoredOutput): Promise<void> {
  if (rel !== '') await tree.ensureDirectory(parentOf(rel));
  const path = tree.path(rel);
  const temp = hiddenTempName(path);
  try {
    await copyVerified(store, output, temp);
    await chmod(temp, output.mode & 0o777);
    await utimes(temp, new Date(), output.mtimeMs / 1000); // seconds as a double: sub-ms kept
    await rename(temp, path); // replaces a file or a planted symlink itself; a directory there fails
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}

/** Copies a blob to a new file (O_EXCL), failing if it is a link or its bytes no longer match its name. */
async function copyVerified(store: CacheStore, output: StoredOutput, to: string): Promise<void> {
  try {
    await pipeline(await store.readBlob(output), createWriteStream(to, { flags: 'wx', mode: 0o600 }));
  } catch (error) {
    throw error instanceof TamperedBlob ? new CannotRestore(error.message) : error;
  }
}

/** A stored path stays below its mount whatever the entry says (a shared cache directory is writable by others). */
function safeRel(rel: string): string {
  if (rel !== '' && rel.split('/').some((segment) => segment === '' || segment === '.' || segment === '..'))
    fail(`refusing stored path ${JSON.stringify(rel)}`);
  return rel;
}

function fail(message: string): never {
  throw new CannotRestore(message);
}
