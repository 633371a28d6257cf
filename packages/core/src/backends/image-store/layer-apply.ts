import { chmod, link, lstat, readdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Header } from 'tar-stream';
import { tarEntries, writeTarEntry, type TarEntry } from '../../util/tar-entries.js';
import { bounded } from '../../lifecycle/bounded.js';
import { directoryInImage, imageComponents } from './root-path.js';

/** What applying one layer left to do once every layer is in (directories' modes: set last, or a 0555 one blocks later layers). */
export interface LayerReport {
  directoryModes: Map<string, number>;
  /** Devices and FIFOs: an unprivileged user cannot make them (ch-convert skips them too). */
  skipped: number;
}

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

/**
 * Applies one image layer (a tar, gzip-compressed or not) onto the root filesystem at `root`, as
 * the OCI image spec says: entries replace what lower layers left, `.wh.NAME` deletes NAME,
 * `.wh..wh..opq` empties its directory of what lower layers put there. The layer is untrusted:
 * every path is resolved inside `root` (`..` clamped, the image's symlinks followed as inside the
 * container, never out of it — root-path.ts), a hard link must name a file already in the image,
 * nothing is written through a link (the old entry is removed first, files are created with
 * O_EXCL), set-id bits are dropped (ch-run never honours them), and directories keep rwx for their
 * owner so the image stays removable by the user who made it (ch-convert's dir_fixup does the same).
 */
export async function applyLayer(root: string, layer: Readable, signal: AbortSignal, report: LayerReport): Promise<void> {
  let tar: Readable = layer;
  if (await bounded(isGzip(layer), signal, 'reading an image layer')) {
    const gunzip = createGunzip();
    layer.on('error', (error) => gunzip.destroy(error));
    tar = layer.pipe(gunzip);
  }
  const thisLayer = new Set<string>();
  try {
    for await (const entry of tarEntries(tar, signal)) await applyEntry(root, entry.header, entry, thisLayer, report);
  } finally {
    layer.destroy();
  }
}

async function applyEntry(root: string, header: Header, body: TarEntry, thisLayer: Set<string>, report: LayerReport): Promise<void> {
  const parts = imageComponents(header.name);
  if (parts.length === 0) return; // the root itself
  const name = parts.pop()!;
  const dir = await directoryInImage(root, parts);
  const path = join(root, ...dir, name);
  const key = [...dir, name].join('/');
  if (name === OPAQUE) return await emptyExceptThisLayer(root, dir, thisLayer);
  if (name.startsWith(WHITEOUT)) return await rm(join(root, ...dir, name.slice(WHITEOUT.length)), { recursive: true, force: true });
  thisLayer.add(key);
  const mode = (header.mode ?? 0o644) & 0o777;
  const existing = await lstat(path).catch(() => undefined);
  if (header.type === 'directory') {
    if (existing && !existing.isDirectory()) await rm(path, { force: true });
    if (!existing?.isDirectory()) await directoryInImage(root, [...dir, name]);
    report.directoryModes.set(path, mode | 0o700);
    return;
  }
  if (existing) await rm(path, { recursive: true, force: true }); // replaced, never written through
  switch (header.type) {
    case 'file':
    case 'contiguous-file':
      await writeTarEntry(body, path);
      return await chmod(path, mode);
    case 'symlink':
      return await symlink(header.linkname ?? '', path);
    case 'link':
      return await link(await linkedFile(root, header.linkname ?? ''), path);
    default:
      report.skipped++;
  }
}

/** A hard link's target: a regular file the image already holds, found inside it. */
async function linkedFile(root: string, target: string): Promise<string> {
  const parts = imageComponents(target);
  const name = parts.pop();
  if (!name) throw new Error(`a hard link to the image's root in a layer`);
  const path = join(root, ...(await directoryInImage(root, parts)), name);
  if (!(await lstat(path).catch(() => undefined))?.isFile()) throw new Error(`a hard link in a layer names ${target}, which is no file of the image`);
  return path;
}

async function emptyExceptThisLayer(root: string, dir: string[], thisLayer: Set<string>): Promise<void> {
  for (const child of await readdir(join(root, ...dir))) {
    if (!thisLayer.has([...dir, child].join('/'))) await rm(join(root, ...dir, child), { recursive: true, force: true });
  }
}

/** Peeks at the first bytes (gzip's magic number) and puts them back. */
async function isGzip(stream: Readable): Promise<boolean> {
  const first = await new Promise<Buffer | null>((resolve, reject) => {
    const onReadable = () => {
      const chunk = stream.read(2) as Buffer | null;
      if (chunk !== null || stream.readableEnded) done(chunk);
    };
    const done = (chunk: Buffer | null) => {
      stream.off('readable', onReadable).off('error', reject).off('end', onEnd);
      resolve(chunk);
    };
    const onEnd = () => done(null);
    stream.on('readable', onReadable).once('error', reject).once('end', onEnd);
    onReadable();
  });
  if (first === null) return false;
  stream.unshift(first);
  return first[0] === 0x1f && first[1] === 0x8b;
}
