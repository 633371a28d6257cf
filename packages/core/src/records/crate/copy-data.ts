import { createHash } from 'node:crypto';
import { constants, createWriteStream } from 'node:fs';
import { open, realpath, rm, type FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { RecordedFile, RunRecord } from '../run-record.js';
import { ensureOwnDirectory } from '../../util/own-directory.js';

/** What copying the data files into a crate did. */
export interface CopiedData {
  /** Relative `@id` in the crate, by original path. */
  copied: Map<string, string>;
  /** Files left as `file://` references, with the reason. */
  notCopied: Array<{ path: string; reason: string }>;
}

/**
 * Copies the regular files the records name into `<crate>/data/<absolute path>`. Files in
 * writable mounts are the tools' (untrusted): a path through any symlink is refused (a tool
 * could point `out/x.bam` at `~/.ssh/id_rsa`, which would then be published with the crate),
 * the file is opened without following links, and when the record knows its hash the copy
 * must match it (the file changed since the run: then it stays a reference).
 */
export async function copyData(records: readonly RunRecord[], crateDir: string): Promise<CopiedData> {
  const result: CopiedData = { copied: new Map(), notCopied: [] };
  for (const file of latestFiles(records)) {
    if (file.kind !== 'file') continue;
    const problem = await copyOne(file, crateDir).catch((error: Error) => error.message);
    if (problem) result.notCopied.push({ path: file.path, reason: problem });
    else result.copied.set(file.path, crateId(file.path));
  }
  return result;
}

/** Each path once, as the latest record that names it saw it. */
export function latestFiles(records: readonly RunRecord[]): RecordedFile[] {
  const byPath = new Map<string, RecordedFile>();
  for (const record of records) for (const file of [...record.inputs, ...record.outputs]) byPath.set(file.path, file);
  return [...byPath.values()];
}

/** `data/` + the absolute path, each segment percent-encoded (an RO-Crate `@id` is a URI path). */
export function crateId(path: string): string {
  return `data${path.split('/').map(encodeURIComponent).join('/')}`;
}

/** Copies one file; returns why not, or undefined when copied. */
async function copyOne(file: RecordedFile, crateDir: string): Promise<string | undefined> {
  // A record is data (it may come from a journal on disk): its path must not climb out of data/.
  if (!isAbsolute(file.path) || normalize(file.path) !== file.path) return 'not a normalized absolute path';
  if ((await realpath(file.path)) !== file.path) return 'its path goes through a symbolic link';
  const source = await open(file.path, constants.O_RDONLY | constants.O_NOFOLLOW);
  const target = join(crateDir, 'data', file.path);
  try {
    if (!(await source.stat()).isFile()) return 'not a regular file';
    // One level at a time below the crate (never a recursive mkdir); 0755 like the crate itself.
    await ensureOwnDirectory(dirname(target), undefined, 0o755);
    // The copy keeps the file's permissions: a private (0600) input stays private in the crate.
    const sha256 = await copyHashing(source, target, (await source.stat()).mode & 0o777);
    if (file.sha256 && sha256 !== file.sha256) {
      await rm(target, { force: true });
      return 'its content changed since the run (hash differs from the record)';
    }
    return undefined;
  } finally {
    await source.close();
  }
}

async function copyHashing(source: FileHandle, target: string, mode: number): Promise<string> {
  const hash = createHash('sha256');
  const input = source.createReadStream({ autoClose: false, start: 0 });
  input.on('data', (chunk) => hash.update(chunk as Buffer));
  await pipeline(input, createWriteStream(target, { flags: 'wx', mode }));
  return hash.digest('hex');
}
