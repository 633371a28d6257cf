import { createWriteStream, type Stats } from 'node:fs';
import { link, readlink, symlink, utimes } from 'node:fs/promises';
import type { Extract, Header } from 'tar-stream';
import type { LocalMount } from '../../../api/mount-spec.js';
import { pathInMount } from './archive-name.js';
import { CopyBackError, shown } from './copy-back-error.js';
import type { DestinationTree } from './destination-tree.js';
import { containerPath, mtimeSec, type CopiedIn } from './snapshot.js';
import type { StagedTree } from './staged-tree.js';

/** One archive member: its header and a stream of its bytes. */
export type Entry = Extract extends AsyncIterable<infer Source> ? Source : never;

/** One copy-back in progress: where members go, and what was staged so far. */
export interface Unpack {
  mount: LocalMount;
  /** What went in: files the tool left as they were are not written back. */
  copiedIn: CopiedIn;
  here: DestinationTree;
  staging: StagedTree;
  /** The file's name here, for a single-file mount. */
  file: string | undefined;
  /** Other mounts' targets inside this one, relative to it. */
  nested: string[];
  /** Directories of the archive, in order (parents first), and the members staged to move in. */
  dirs: string[];
  changed: string[];
}

/** Stages one member if it differs from what is here; unchanged ones are only recorded. */
export async function stageMember(entry: Entry, header: Header, rel: string, u: Unpack): Promise<void> {
  const { staging, here } = u;
  switch (header.type) {
    case 'directory':
      entry.resume();
      staging.admit(rel, 'directory');
      if (rel) u.dirs.push(rel);
      return;
    case 'file':
    case 'contiguous-file': {
      const member = staging.admit(rel, 'file');
      // Unchanged by the tool: leave the local file alone, even if it changed here meanwhile.
      const before = u.copiedIn.get(containerPath(u.mount.target, u.file === undefined ? rel : ''));
      if (before?.size === header.size && before.mtimeSec === mtimeSec(header.mtime)) return void entry.resume();
      const existing = await here.probe(rel);
      refuseOverDirectory(existing, here.path(rel), 'a file');
      if (existing?.isFile() && existing.size === header.size && mtimeSec(existing.mtime) === mtimeSec(header.mtime)) return void entry.resume();
      const staged = await staging.stage(member);
      await writeEntry(entry, staged, header.mode & 0o777);
      await utimes(staged, header.mtime, header.mtime);
      return void u.changed.push(rel);
    }
    case 'symlink': {
      entry.resume();
      const target = symlinkTarget(header, rel);
      const member = staging.admit(rel, 'symlink', target);
      const existing = await here.probe(rel);
      refuseOverDirectory(existing, here.path(rel), 'a symlink');
      if (existing?.isSymbolicLink() && (await readlink(here.path(rel))) === target) return;
      await symlink(target, await staging.stage(member));
      return void u.changed.push(rel);
    }
    case 'link':
      entry.resume();
      return placeHardLink(rel, header.linkname ?? '', u);
    default:
      entry.resume(); // devices, FIFOs: nothing to bring back, and nothing may lie below them
      staging.admit(rel, 'special');
  }
}

/**
 * A hard link to an earlier member: to a staged file, a hard link in staging; to an unchanged
 * file, a copy of the local one (verified, never through a link); to a symlink, the same symlink.
 */
async function placeHardLink(rel: string, linkname: string, u: Unpack): Promise<void> {
  const { staging, here } = u;
  let target: string | undefined;
  try {
    target = pathInMount(linkname, u.nested);
  } catch {
    // an absolute name or '..': refused below, naming the link
  }
  const source = target === undefined ? undefined : staging.member(target);
  if (target === undefined || (source?.kind !== 'file' && source?.kind !== 'symlink')) {
    throw new CopyBackError(`copy mode refused the hard link ${shown(rel)} → ${shown(linkname)}: it points at no earlier file or symlink of the archive`);
  }
  const member = staging.admit(rel, source.kind, source.linkname);
  refuseOverDirectory(await here.probe(rel), here.path(rel), 'a hard link');
  const staged = await staging.stage(member);
  if (source.kind === 'symlink') await symlink(source.linkname!, staged);
  else if (source.staged) await link(source.staged, staged);
  else await here.copyFileTo(target, staged);
  u.changed.push(rel);
}

/** A symlink's target, stored as it is (it is never followed here); filesystems have no empty ones. */
function symlinkTarget(header: Header, rel: string): string {
  const target = header.linkname ?? '';
  if (target === '' || target.includes('\0')) {
    throw new CopyBackError(`copy mode refused the symlink ${shown(rel)}: its target is empty or contains a NUL byte; a daemon never sends that`);
  }
  return target;
}

/** A local directory is never replaced by a file or link (that would delete a whole tree). */
export function refuseOverDirectory(existing: Stats | undefined, path: string, what: string): void {
  if (existing?.isDirectory()) {
    throw new CopyBackError(`copy mode left the directory ${shown(path)} as it was: the tool replaced it by ${what}, and copy mode does not delete local directories`);
  }
}

/**
 * tar-stream's entries are streamx streams: piped by hand rather than through Node's pipeline.
 * Settles only once the file is closed (nothing may be created in staging after it is removed),
 * and also when the archive is cut short: the entry is then destroyed, possibly before we got here.
 */
function writeEntry(entry: Entry, path: string, mode: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const cut = () => new Error('the archive was cut short while this file was read');
    if (entry.destroyed) return reject(cut());
    // 'wx': staging paths are fresh; never open something that is already there.
    const file = createWriteStream(path, { mode, flags: 'wx' });
    let ended = false;
    let finished = false;
    let failure: Error | undefined;
    entry.once('end', () => (ended = true));
    entry.once('error', (error: Error) => file.destroy(error));
    entry.once('close', () => ended || file.destroy(cut()));
    file.once('error', (error) => (failure ??= error));
    file.once('finish', () => (finished = true));
    file.once('close', () => (finished && !failure ? resolve() : reject(failure ?? cut())));
    entry.pipe(file);
  });
}
