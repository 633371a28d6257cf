import { createWriteStream } from 'node:fs';
import { copyFile, link, lstat, mkdir, readlink, rename, rm, stat, symlink, utimes } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { extract, type Extract, type Header } from 'tar-stream';
import type { LocalMount } from '../mount-spec.js';

/** One archive member: its header and a stream of its bytes. */
type Entry = Extract extends AsyncIterable<infer Source> ? Source : never;
import { containerPath, inNested, mtimeSec, nestedTargets, type CopiedIn } from './snapshot.js';
import { stagingName } from './staging.js';

/** What the copy-back needs to know besides the archive. */
export interface UnpackContext {
  /** What went in: files the tool left as they were are not written back. */
  copiedIn: CopiedIn;
  /** Targets of the run's other mounts (their contents are not this mount's). */
  allTargets: readonly string[];
}

/**
 * Writes a `getArchive` tar of a writable mount back to the mount's local path. Only the tool's
 * changes are written: files it created, or changed from what was copied in. Entries land in a
 * hidden staging directory beside their destination and are renamed into place only after the
 * whole archive arrived, so no output is ever left half-written. Files deleted by the tool are
 * kept here (copy mode never deletes). Returns the local paths written.
 */
export async function unpackOutputs(archive: Readable, mount: LocalMount, context: UnpackContext): Promise<string[]> {
  const isDir = (await stat(mount.path)).isDirectory();
  const base = isDir ? mount.path : dirname(mount.path);
  const rootName = isDir ? [] : [basename(mount.path)];
  const staging = join(base, stagingName());
  const nested = nestedTargets(mount.target, context.allTargets);
  await mkdir(staging);
  try {
    const dirs: string[] = [];
    const changed: string[] = [];
    const tar = extract();
    archive.once('error', (error) => tar.destroy(error));
    archive.pipe(tar);
    for await (const entry of tar) {
      const rel = localName(entry.header.name, rootName);
      const inMount = isDir ? rel : '';
      if (rel === undefined || inNested(inMount!, nested)) {
        entry.resume();
        continue;
      }
      const before = context.copiedIn.get(containerPath(mount.target, inMount!));
      if (await stage(entry, entry.header, rel, { base, staging, rootName, dirs, before })) changed.push(rel);
    }
    for (const dir of dirs) await mkdir(join(base, dir), { recursive: true });
    for (const rel of changed) {
      await mkdir(dirname(join(base, rel)), { recursive: true });
      await rename(join(staging, rel), join(base, rel)).catch((error: NodeJS.ErrnoException) => {
        throw new Error(`could not put the tool's ${rel} at ${join(base, rel)}: ${error.code ?? error.message}`, { cause: error });
      });
    }
    return changed.map((rel) => join(base, rel));
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

interface StageContext {
  base: string;
  staging: string;
  rootName: string[];
  dirs: string[];
  /** This file as it was copied in, if it was. */
  before: { size: number; mtimeSec: number } | undefined;
}

/** Writes one entry into staging; true when it differs from what is here and must be moved in. */
async function stage(entry: Entry, header: Header, rel: string, ctx: StageContext): Promise<boolean> {
  const staged = join(ctx.staging, rel);
  const here = () => lstat(join(ctx.base, rel)).catch(() => undefined);
  switch (header.type) {
    case 'directory':
      entry.resume();
      if (rel) {
        ctx.dirs.push(rel);
        await mkdir(staged, { recursive: true });
      }
      return false;
    case 'file':
    case 'contiguous-file': {
      // Unchanged by the tool: leave the local file alone, even if it changed here meanwhile.
      const asCopiedIn = ctx.before?.size === header.size && ctx.before.mtimeSec === mtimeSec(header.mtime);
      const existing = asCopiedIn ? undefined : await here();
      const asHere = existing?.isFile() && existing.size === header.size && mtimeSec(existing.mtime) === mtimeSec(header.mtime);
      if (asCopiedIn || asHere) {
        entry.resume();
        return false;
      }
      await mkdir(dirname(staged), { recursive: true });
      await writeEntry(entry, staged, header.mode & 0o777);
      await utimes(staged, header.mtime, header.mtime);
      return true;
    }
    case 'symlink': {
      entry.resume();
      const target = header.linkname;
      if ((await here())?.isSymbolicLink() && (await readlink(join(ctx.base, rel))) === target) return false;
      await mkdir(dirname(staged), { recursive: true });
      await symlink(target, staged);
      return true;
    }
    case 'link': {
      // A hard link to an earlier entry of the same archive.
      entry.resume();
      const other = localName(header.linkname, ctx.rootName);
      if (other === undefined) return false;
      await mkdir(dirname(staged), { recursive: true });
      await link(join(ctx.staging, other), staged).catch(() => copyFile(join(ctx.base, other), staged));
      return true;
    }
    default:
      entry.resume(); // devices, FIFOs: nothing to bring back
      return false;
  }
}

/**
 * An archive name (`out/sub/file`, rooted at the mount's own name) as a path relative to the
 * local base; undefined for names that would escape it.
 */
function localName(name: string, rootName: string[]): string | undefined {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..')) return undefined;
  return [...rootName, ...parts.slice(1)].join('/');
}

/** tar-stream's entries are streamx streams: piped by hand rather than through Node's pipeline. */
function writeEntry(entry: Entry, path: string, mode: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const file = createWriteStream(path, { mode });
    entry.once('error', (error: Error) => file.destroy(error));
    file.once('error', reject);
    file.once('finish', resolve);
    entry.pipe(file);
  });
}
