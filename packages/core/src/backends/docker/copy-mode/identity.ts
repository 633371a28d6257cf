import { racilyClean } from '../../../util/racy-clock.js';
import type { Stats } from 'node:fs';

/**
 * What a path in a writable mount is, as far as "same results" cares (bind mode is the
 * reference): its type, permission bits, a file's size and content hash, a symlink's target.
 * Owners and mtimes are not part of it (tar keeps mtimes in whole seconds only).
 */
export interface Identity {
  kind: 'file' | 'dir' | 'symlink';
  /** `mode & 0o777`; undefined for a directory only implied by the paths below it, and for symlinks. */
  mode?: number;
  size?: number;
  /** Hex SHA-256 of a file's bytes, when known (computed only where a comparison needs it). */
  sha256?: string;
  link?: string;
}

/** The permission bits copy mode keeps in sync (set-id bits are never brought back). */
export const MODE_BITS = 0o777;

/**
 * A local file's stat when its identity was taken: while it still matches (and the file was not
 * written in the same clock tick as the moment it was read: Git's "racily clean" rule for coarse
 * clocks such as NFS's 1 s), the file is known to be unchanged without reading it again.
 */
export interface LocalStamp {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  /** When the identity was taken (ms since the epoch), for the racy check. */
  takenAtMs: number;
}

export function stampOf(stats: Stats, takenAtMs: number): LocalStamp {
  return { dev: stats.dev, ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, takenAtMs };
}

/** Whether `stats` shows the same, unchanged file as `stamp` (never when the stamp is racy). */
export function stampHolds(stamp: LocalStamp, stats: Stats): boolean {
  return (
    stats.dev === stamp.dev &&
    stats.ino === stamp.ino &&
    stats.size === stamp.size &&
    stats.mtimeMs === stamp.mtimeMs &&
    stats.ctimeMs === stamp.ctimeMs &&
    !isRacy(stamp)
  );
}

/**
 * Racy: the file's mtime or ctime falls in the same 1-second tick as the moment its identity
 * was taken (or later): a write in that tick after we read it may have left both unchanged.
 */
export function isRacy(stamp: Pick<LocalStamp, 'mtimeMs' | 'ctimeMs' | 'takenAtMs'>): boolean {
  return racilyClean(stamp.mtimeMs, stamp.takenAtMs) || racilyClean(stamp.ctimeMs, stamp.takenAtMs);
}

/** Identity from `lstat` (a file's hash is filled in by whoever read its bytes). */
export function identityOfStats(stats: Stats, link?: string): Identity | undefined {
  if (stats.isDirectory()) return { kind: 'dir', mode: stats.mode & MODE_BITS };
  if (stats.isSymbolicLink()) return { kind: 'symlink', link };
  if (stats.isFile()) return { kind: 'file', mode: stats.mode & MODE_BITS, size: stats.size };
  return undefined; // FIFOs, sockets, devices: never sent, never brought back
}

/**
 * Whether two identities are the same thing, as far as content goes (mode not compared): kind,
 * link target, a file's size and hash. Undefined when a file's hash would be needed but is missing.
 */
export function sameContent(a: Identity, b: Identity): boolean | undefined {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'symlink') return a.link === b.link;
  if (a.kind === 'dir') return true;
  if (a.size !== b.size) return false;
  if (a.sha256 === undefined || b.sha256 === undefined) return undefined;
  return a.sha256 === b.sha256;
}

/** Same mode, where both know it (an implied directory matches any mode; symlinks have none). */
export function sameMode(a: Identity, b: Identity): boolean {
  return a.mode === undefined || b.mode === undefined || a.mode === b.mode;
}
