import { lstat, realpath, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { extract, type Header } from 'tar-stream';
import type { LocalMount } from '../../../api/mount-spec.js';
import { nameParts, pathInMount } from './archive-name.js';
import { copyBackError, CopyBackError, shown } from './copy-back-error.js';
import { DestinationTree } from './destination-tree.js';
import { sentTree, type SentTrees } from './sent-trees.js';
import { nestedTargets } from './snapshot.js';
import { stageMember, type Entry, type Unpack } from './stage-member.js';
import { StagedTree } from './staged-tree.js';
import { removeStaleStaging, stagingName } from './staging.js';
import { commitSync, type SyncReport } from './sync-commit.js';
import { planSync } from './sync-plan.js';

/** What the copy-back needs to know besides the archive. */
export interface UnpackContext {
  /** What went in (per writable mount; updated to what the container holds after this copy-back). */
  sent: SentTrees;
  /** Targets of the run's other mounts (their contents are not this mount's). */
  allTargets: readonly string[];
  /** The run's cancel/timeout: once it fired, nothing more is moved into place (the run may have settled). */
  signal?: AbortSignal;
}

/**
 * Brings a writable mount's local path (its real path, when that is a symlink, as a bind mount
 * would) to what the tool left in it, from a `getArchive` tar — bind mode is the reference. Each
 * path is compared with what was sent (type, mode, content hash, link target: sent-trees.ts),
 * never with an mtime: what the tool created or changed is written, what it deleted is deleted,
 * a changed mode is set, a rename is a delete plus a create, directories likewise. Where the
 * local path changed since it was sent (another run, the user), the local one is kept and the
 * report says so (sync-decision.ts). Written files wait in a hidden staging directory beside
 * their destination and are renamed into place only after the whole archive arrived, so no output
 * is ever left half-written, and a refused archive changes nothing.
 *
 * The archive is untrusted (a hostile tool wrote the tree, a spoofed daemon may have crafted the
 * tar), and nothing in it may make us write, or read, outside the mount:
 * - no path is resolved through a symlink that was not verified: staging is flat (`StagedTree`
 *   checks the archive's tree instead), the destination is checked with `lstat` from the mount's
 *   root down (`DestinationTree`);
 * - where the tool replaced a symlink (or a file) by a directory, the local one is unlinked — the
 *   link itself — and a real directory made, mirroring the tool; where it replaced a directory
 *   by anything else, the copy-back fails and the local directory stays;
 * - names that a daemon never sends (absolute, `..`, a member below a symlink member, twice the
 *   same member, a hard link to no earlier file or symlink) refuse the whole archive; devices and
 *   FIFOs are not brought back;
 * - a single-file mount must come back as one regular file, or it is left as it was.
 * Once `context.signal` fired, nothing more is moved into place and staging is removed.
 * Every failure is a {@link CopyBackError} naming the path.
 */
export async function unpackOutputs(archive: Readable, mount: LocalMount, context: UnpackContext): Promise<SyncReport> {
  const tar = extract();
  // Listening at once (tar-stream drops entries nobody iterates; the archive may fail meanwhile).
  const entries = tar[Symbol.asyncIterator]();
  archive.on('error', (error) => tar.destroy(error));
  archive.pipe(tar);
  try {
    return await unpackArchive(entries, mount, context);
  } finally {
    tar.destroy();
    if (!archive.readableEnded) archive.destroy(); // frees the daemon's connection
  }
}

async function unpackArchive(entries: AsyncIterator<Entry>, mount: LocalMount, context: UnpackContext): Promise<SyncReport> {
  const { base, file } = await localRoot(mount);
  await removeStaleStaging(base);
  const staging = new StagedTree(join(base, stagingName()));
  const u: Unpack = {
    mount,
    sent: sentTree(context.sent, mount.target),
    file,
    here: new DestinationTree(base),
    staging,
    nested: nestedTargets(mount.target, context.allTargets),
  };
  const stopIfEnded = () => {
    if (context.signal?.aborted) {
      throw new CopyBackError(`copy mode stopped bringing back the outputs of ${mount.target}: the run was ended (canceled or timed out)`, {
        cause: context.signal.reason,
      });
    }
  };
  let report: SyncReport;
  try {
    try {
      for (let next = await entries.next(); !next.done; next = await entries.next()) {
        stopIfEnded();
        await unpackEntry(next.value, u);
      }
    } catch (error) {
      if (error instanceof CopyBackError) throw error;
      throw new CopyBackError(`copy mode could not read the archive of ${mount.target} from the daemon: ${(error as Error).message}`, {
        cause: error,
      });
    }
    stopIfEnded();
    const plans = await planSync(u).catch((error: unknown) => Promise.reject(copyBackError(error, base)));
    report = await commitSync(u, plans, stopIfEnded);
  } finally {
    // Empty once all is moved in (staged files the tool left as sent are unlinked as they
    // arrive). Best effort: a leftover carries our pid, and goes with the first copy-back into
    // this directory after we exit.
    if (staging.used) await rm(staging.dir, { recursive: true, force: true }).catch(() => {});
  }
  for (const { rel, mode } of report.directoryModes) {
    stopIfEnded();
    await u.here.setMode(rel, mode).catch((error: unknown) => Promise.reject(copyBackError(error, u.here.path(rel))));
  }
  return report;
}

/** The mount's real directory, or for a single file its real directory and name. */
async function localRoot(mount: LocalMount): Promise<{ base: string; file?: string }> {
  try {
    const real = await realpath(mount.path);
    return (await lstat(real)).isDirectory() ? { base: real } : { base: dirname(real), file: basename(real) };
  } catch (error) {
    throw copyBackError(error, mount.path);
  }
}

async function unpackEntry(entry: Entry, u: Unpack): Promise<void> {
  const { header } = entry;
  let rel: string | undefined;
  try {
    rel = memberPath(header, u);
    if (rel === undefined) return void entry.resume();
    u.here.checkNameLength(rel);
    await stageMember(entry, header, rel, u);
  } catch (error) {
    throw copyBackError(error, rel === undefined ? header.name : u.here.path(rel));
  }
}

/** The member's path relative to the local base; undefined for what is not this mount's. */
function memberPath(header: Header, u: Unpack): string | undefined {
  if (u.file !== undefined) {
    const type = nameParts(header.name).length > 1 ? 'directory' : header.type;
    if (type === 'file' || type === 'contiguous-file') return u.file;
    throw new CopyBackError(
      `copy mode left ${shown(u.mount.path)} as it was: the tool replaced it by ${describe(type, header)}, and a single-file mount must come back as a regular file`,
    );
  }
  const rel = pathInMount(header.name, u.nested);
  if (rel === '' && header.type !== 'directory') {
    throw new CopyBackError(
      `copy mode left ${shown(u.here.base)} as it was: the tool replaced the mount's directory ${u.mount.target} by ${describe(header.type, header)}`,
    );
  }
  return rel;
}

function describe(type: Header['type'] | null, header: Header): string {
  switch (type) {
    case 'symlink':
      return `a symlink (to ${shown(header.linkname)})`;
    case 'link':
      return `a hard link (to ${shown(header.linkname)})`;
    case 'directory':
      return 'a directory';
    case 'file':
    case 'contiguous-file':
      return 'a file';
    default:
      return `a ${type ?? 'special file'}`;
  }
}
