import { createHash } from 'node:crypto';
import { chmod, link, unlink, utimes } from 'node:fs/promises';
import type { Header } from 'tar-stream';
import { writeTarEntry, type TarEntry } from '../../../util/tar-entries.js';
import type { LocalMount } from '../../../api/mount-spec.js';
import { pathInMount } from './archive-name.js';
import { CopyBackError, shown } from './copy-back-error.js';
import type { DestinationTree } from './destination-tree.js';
import { MODE_BITS } from './identity.js';
import type { SentEntry } from './sent-trees.js';
import type { StagedTree } from './staged-tree.js';

/** One archive member: its header and a stream of its bytes. */
export type Entry = TarEntry;

/** One copy-back in progress: where members go, and what was staged so far. */
export interface Unpack {
  mount: LocalMount;
  /** What the tool container got (or held after the last sync), by path relative to the mount. */
  sent: Map<string, SentEntry>;
  here: DestinationTree;
  staging: StagedTree;
  /** The file's name here, for a single-file mount. */
  file: string | undefined;
  /** Other mounts' targets inside this one, relative to it. */
  nested: string[];
}

/**
 * Records one member with what the tool left there, staging the bytes of files. A file of the
 * size that was sent there is hashed while it is staged: if it is what was sent, the staged copy
 * is dropped at once (a changed mode alone needs no bytes).
 */
export async function stageMember(entry: Entry, header: Header, rel: string, u: Unpack): Promise<void> {
  const { staging } = u;
  switch (header.type) {
    case 'directory':
      entry.resume();
      staging.admit(rel, 'directory').id = { kind: 'dir', mode: header.mode! & MODE_BITS };
      return;
    case 'file':
    case 'contiguous-file': {
      const member = staging.admit(rel, 'file');
      const id = (member.id = {
        kind: 'file' as const,
        mode: header.mode! & MODE_BITS,
        size: header.size ?? 0,
        sha256: undefined as string | undefined,
      });
      const sent = u.sent.get(sentKey(rel, u))?.id;
      const maybeSent = sent?.kind === 'file' && sent.size === id.size && sent.sha256 !== undefined;
      const hash = maybeSent ? createHash('sha256') : undefined;
      const staged = await staging.stage(member);
      await writeTarEntry(entry, staged, hash);
      if (hash) id.sha256 = hash.digest('hex');
      if (id.sha256 !== undefined && id.sha256 === sent?.sha256) {
        member.staged = undefined;
        return void (await unlink(staged));
      }
      // Exact bits, whatever the umask; the tar's whole-second mtime, as docker cp keeps it.
      await chmod(staged, id.mode);
      return void (await utimes(staged, header.mtime!, header.mtime!));
    }
    case 'symlink': {
      entry.resume();
      const target = symlinkTarget(header, rel);
      staging.admit(rel, 'symlink', target).id = { kind: 'symlink', link: target };
      return;
    }
    case 'link':
      entry.resume();
      return placeHardLink(rel, header.linkname ?? '', u);
    default:
      entry.resume(); // devices, FIFOs: nothing to bring back, and nothing may lie below them
      staging.admit(rel, 'special');
  }
}

/** A path's key in the sent tree: a single-file mount is the mount itself (''). */
export function sentKey(rel: string, u: Pick<Unpack, 'file'>): string {
  return u.file === undefined ? rel : '';
}

/**
 * A hard link to an earlier member: to a staged file, a hard link in staging; to a file that came
 * back as it was sent, a copy of the local one (verified, never through a link); to a symlink,
 * the same symlink.
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
    throw new CopyBackError(
      `copy mode refused the hard link ${shown(rel)} → ${shown(linkname)}: it points at no earlier file or symlink of the archive`,
    );
  }
  const member = staging.admit(rel, source.kind, source.linkname);
  member.id = { ...source.id! };
  if (source.kind === 'symlink') return;
  const staged = await staging.stage(member);
  if (source.staged) await link(source.staged, staged);
  else await here.copyFileTo(target, staged);
}

/** A symlink's target, stored as it is (it is never followed here); filesystems have no empty ones. */
function symlinkTarget(header: Header, rel: string): string {
  const target = header.linkname ?? '';
  if (target === '' || target.includes('\0')) {
    throw new CopyBackError(`copy mode refused the symlink ${shown(rel)}: its target is empty or contains a NUL byte; a daemon never sends that`);
  }
  return target;
}
