import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pack, type Header, type Pack } from 'tar-stream';
import type { LocalMount } from '../mount-spec.js';
import { isStagingName } from './staging.js';

/**
 * A tar stream of the mounts' contents, each entry named by its path inside the tool container
 * (for `putArchive` at `/`). Files are streamed one after the other, so memory stays flat
 * whatever their size. Modes, owners, mtimes and symlinks are kept as they are here.
 */
export function packMounts(mounts: readonly LocalMount[]): Pack {
  const archive = pack();
  (async () => {
    for (const mount of mounts) await addTree(archive, mount.path, mount.target.slice(1));
    archive.finalize();
  })().catch((error: unknown) => archive.destroy(error as Error));
  return archive;
}

type EntryHeader = Partial<Header> & Pick<Header, 'name'>;

async function addTree(archive: Pack, localPath: string, name: string): Promise<void> {
  const stat = await lstat(localPath);
  const header: EntryHeader = { name, mode: stat.mode & 0o7777, uid: stat.uid, gid: stat.gid, mtime: stat.mtime };
  if (stat.isDirectory()) {
    await entry(archive, { ...header, type: 'directory' });
    const children = (await readdir(localPath)).filter((child) => !isStagingName(child)).sort();
    for (const child of children) await addTree(archive, join(localPath, child), `${name}/${child}`);
  } else if (stat.isSymbolicLink()) {
    await entry(archive, { ...header, type: 'symlink', linkname: await readlink(localPath) });
  } else if (stat.isFile()) {
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
