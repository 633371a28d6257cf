import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { pack, type Header, type Pack } from 'tar-stream';
import type { LocalMount } from '../../../api/mount-spec.js';
import { containerPath, inNested, mtimeSec, nestedTargets, type CopiedIn } from './snapshot.js';
import { isStagingName } from './staging.js';

/**
 * A tar stream of the mounts' contents, each entry named by its path inside the tool container
 * (for `putArchive` at `/`). Files are streamed one after the other, so memory stays flat
 * whatever their size. Modes, owners, mtimes and symlinks are kept as they are here. A mount's
 * local files where another mount's target lies inside it are left out (that mount covers them),
 * and every regular file packed is recorded in `copiedIn`. A mount whose own path is a symlink is
 * packed from the path it resolves to, as a bind mount would show it (symlinks inside stay links).
 */
export function packMounts(mounts: readonly LocalMount[], copiedIn: CopiedIn): Pack {
  const archive = pack();
  const targets = mounts.map((m) => m.target);
  (async () => {
    for (const mount of mounts) {
      const tree: Tree = { archive, copiedIn, nested: nestedTargets(mount.target, targets), root: mount.target };
      await addTree(tree, await realpath(mount.path), '');
    }
    archive.finalize();
  })().catch((error: unknown) => archive.destroy(error as Error));
  return archive;
}

type EntryHeader = Partial<Header> & Pick<Header, 'name'>;

interface Tree {
  archive: Pack;
  copiedIn: CopiedIn;
  nested: string[];
  /** The mount's target in the container. */
  root: string;
}

async function addTree(tree: Tree, localPath: string, rel: string): Promise<void> {
  if (rel && inNested(rel, tree.nested)) return;
  const { archive } = tree;
  const inContainer = containerPath(tree.root, rel);
  const name = inContainer.slice(1);
  const stat = await lstat(localPath);
  const header: EntryHeader = { name, mode: stat.mode & 0o7777, uid: stat.uid, gid: stat.gid, mtime: stat.mtime };
  if (stat.isDirectory()) {
    await entry(archive, { ...header, type: 'directory' });
    const children = (await readdir(localPath)).filter((child) => !isStagingName(child)).sort();
    for (const child of children) await addTree(tree, join(localPath, child), rel ? `${rel}/${child}` : child);
  } else if (stat.isSymbolicLink()) {
    await entry(archive, { ...header, type: 'symlink', linkname: await readlink(localPath) });
  } else if (stat.isFile()) {
    tree.copiedIn.set(inContainer, { size: stat.size, mtimeSec: mtimeSec(stat.mtime) });
    await new Promise<void>((resolve, reject) => {
      const sink = archive.entry({ ...header, type: 'file', size: stat.size }, (error) => (error ? reject(error) : resolve()));
      const source = createReadStream(localPath);
      source.once('error', (error) => {
        sink.destroy(error);
        reject(error);
      });
      source.pipe(sink);
    });
  }
  // Sockets, FIFOs and devices have no meaning in another container: left out.
}

function entry(archive: Pack, header: EntryHeader): Promise<void> {
  return new Promise((resolve, reject) => archive.entry(header, (error) => (error ? reject(error) : resolve())));
}
