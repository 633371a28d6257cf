import type { Readable } from 'node:stream';
import { extract, pack } from 'tar-stream';
import { daemonStatus } from '../engine/daemon-error.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import { bounded } from '../../../lifecycle/bounded.js';

/** Larger account files exist only in images that manage accounts some other way: left alone. */
export const MAX_ACCOUNT_FILE_BYTES = 4 * 1024 * 1024;

/** One of the image's account files, as the container's filesystem holds it. */
export type AccountFile =
  | { kind: 'file'; text: string }
  | { kind: 'absent' }
  /** A link, a directory, too large, an odd archive: not ours to rewrite. */
  | { kind: 'unusable'; why: string };

/**
 * Reads `path` (e.g. `/etc/passwd`) from a created container with `GET archive`, which names a
 * symlink rather than following it. The text is read as latin1, so whatever bytes the image has
 * go back unchanged. Bounded by `signal`; the archive is untrusted and read up to a cap.
 */
export async function readAccountFile(engine: DockerEngine, containerId: string, path: string, signal: AbortSignal): Promise<AccountFile> {
  let archive: Readable;
  const getting = engine.containers.getArchive(containerId, path);
  try {
    archive = await bounded(getting, signal, `reading ${path}`);
  } catch (error) {
    getting.then(
      (late) => late.destroy(),
      () => {},
    ); // an answer after we gave up: its connection is freed
    if (daemonStatus(error) === 404) return { kind: 'absent' };
    throw error;
  }
  const stop = () => archive.destroy();
  signal.addEventListener('abort', stop, { once: true });
  try {
    return await bounded(firstMember(archive, path), signal, `reading ${path}`);
  } finally {
    signal.removeEventListener('abort', stop);
    if (!archive.readableEnded) archive.destroy(); // frees the daemon's connection
  }
}

async function firstMember(archive: Readable, path: string): Promise<AccountFile> {
  const tar = extract();
  archive.on('error', (error) => tar.destroy(error));
  archive.pipe(tar);
  try {
    for await (const entry of tar) {
      const { type, size = 0 } = entry.header;
      if (type === 'symlink') return { kind: 'unusable', why: `${path} is a symbolic link` };
      if (type !== 'file') return { kind: 'unusable', why: `${path} is not a regular file (${type})` };
      if (size > MAX_ACCOUNT_FILE_BYTES) return { kind: 'unusable', why: `${path} is larger than ${MAX_ACCOUNT_FILE_BYTES} bytes` };
      const chunks: Buffer[] = [];
      let read = 0;
      for await (const chunk of entry as AsyncIterable<Buffer>) {
        read += chunk.length;
        if (read > MAX_ACCOUNT_FILE_BYTES) return { kind: 'unusable', why: `${path} is larger than its header said` };
        chunks.push(chunk);
      }
      return { kind: 'file', text: Buffer.concat(chunks).toString('latin1') };
    }
    return { kind: 'unusable', why: `the daemon sent an empty archive for ${path}` };
  } finally {
    tar.destroy();
  }
}

/**
 * A tar for `PUT archive` at `/etc`: the given files as regular files, root's, mode 0644 (every
 * user must read them). The daemon replaces what is there — a symlink is replaced, never written
 * through — inside the container's own filesystem.
 */
export async function accountArchive(files: Record<string, string>): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk) => chunks.push(chunk as Buffer));
  const ended = new Promise<void>((resolve, reject) => {
    archive.once('end', resolve);
    archive.once('error', reject);
  });
  for (const [name, text] of Object.entries(files)) {
    archive.entry({ name, type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: new Date() }, Buffer.from(text, 'latin1'));
  }
  archive.finalize();
  await ended;
  return Buffer.concat(chunks);
}
