import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { pack, type Header, type Pack } from 'tar-stream';
import type { LocalMount } from '../../../api/mount-spec.js';
import { identityOfStats, stampOf } from './identity.js';
import { sentTree, type SentEntry, type SentTrees } from './sent-trees.js';
import { containerPath, inNested, nestedTargets } from './snapshot.js';
import { isStagingName } from './staging.js';

/**
 * A tar stream of the mounts' contents, each entry named by its path inside the tool container
 * (for `putArchive` at `/`). Files are streamed one after the other, so memory stays flat
 * whatever their size. Modes, owners, mtimes and symlinks are kept as they are here. A mount's
 * local files where another mount's target lies inside it are left out (that mount covers them).
 * Every path of a writable mount is recorded in `sent` with its identity (a file's hash is taken
 * from the very bytes streamed into the archive: no second read), for the copy-back to compare
 * against. A mount whose own path is a symlink is packed from the path it resolves to, as a bind
 * mount would show it (symlinks inside stay links).
 */
export function packMounts(mounts: readonly LocalMount[], sent: SentTrees): Pack {
  const archive = pack();
  const targets = mounts.map((m) => m.target);
  (async () => {
    for (const mount of mounts) {
      const record = mount.write ? sentTree(sent, mount.target) : undefined;
      record?.clear();
      const tree: Tree = { archive, record, nested: nestedTargets(mount.target, targets), root: mount.target };
      await addTree(tree, await realpath(mount.path), '');
    }
    archive.finalize();
  })().catch((error: unknown) => archive.destroy(error as Error));
  return archive;
}

/** Larger reads than the 64 KiB default: fewer round trips through the event loop per file. */
const READ_CHUNK = 1 << 20;

type EntryHeader = Partial<Header> & Pick<Header, 'name'>;

interface Tree {
  archive: Pack;
  /** Where a writable mount's paths are recorded (read-only mounts never come back). */
  record: Map<string, SentEntry> | undefined;
  nested: string[];
  /** The mount's target in the container. */
  root: string;
}

async function addTree(tree: Tree, localPath: string, rel: string): Promise<void> {
  if (rel && inNested(rel, tree.nested)) return;
  const { archive } = tree;
  const inContainer = containerPath(tree.root, rel);
  const name = inContainer.slice(1);
  const takenAtMs = Date.now();
  const stat = await lstat(localPath);
  const header: EntryHeader = { name, mode: stat.mode & 0o7777, uid: stat.uid, gid: stat.gid, mtime: stat.mtime };
  const identity = tree.record ? identityOfStats(stat) : undefined;
  if (identity) tree.record!.set(rel, identity.kind === 'file' ? { id: identity, stamp: stampOf(stat, takenAtMs) } : { id: identity });
  if (stat.isDirectory()) {
    await entry(archive, { ...header, type: 'directory' });
    const children = (await readdir(localPath)).filter((child) => !isStagingName(child)).sort();
    for (const child of children) await addTree(tree, join(localPath, child), rel ? `${rel}/${child}` : child);
  } else if (stat.isSymbolicLink()) {
    const linkname = await readlink(localPath);
    if (identity) identity.link = linkname;
    await entry(archive, { ...header, type: 'symlink', linkname });
  } else if (stat.isFile()) {
    const hash = identity ? createHash('sha256') : undefined;
    await new Promise<void>((resolve, reject) => {
      const sink = archive.entry({ ...header, type: 'file', size: stat.size }, (error) => (error ? reject(error) : resolve()));
      const source = createReadStream(localPath, { highWaterMark: READ_CHUNK });
      if (hash) source.on('data', (chunk) => hash.update(chunk as Buffer));
      source.once('error', (error) => {
        sink.destroy(error);
        reject(error);
      });
      source.pipe(sink);
    });
    if (identity) identity.sha256 = hash!.digest('hex');
  }
  // Sockets, FIFOs and devices have no meaning in another container: left out.
}

function entry(archive: Pack, header: EntryHeader): Promise<void> {
  return new Promise((resolve, reject) => archive.entry(header, (error) => (error ? reject(error) : resolve())));
}
