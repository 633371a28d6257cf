import { Readable } from 'node:stream';
import { pack, type Header } from 'tar-stream';

/** One member of a hand-made archive; `content` only for files. */
export type TarEntry = Partial<Header> & Pick<Header, 'name'> & { content?: string | Buffer };

/**
 * A tar archive built in memory from `entries`, in order and exactly as given: hostile names,
 * links and duplicates included, which is what a spoofed daemon could send to `getArchive`.
 */
export async function buildTar(entries: readonly TarEntry[]): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    archive.on('data', (chunk: unknown) => {
      chunks.push(chunk as Buffer);
    });
    archive.once('end', () => resolve(Buffer.concat(chunks)));
    archive.once('error', reject);
  });
  for (const { content, ...header } of entries) {
    const body = content === undefined ? undefined : Buffer.from(content);
    await new Promise<void>((resolve, reject) => {
      const callback = (error?: Error | null) => (error ? reject(error) : resolve());
      if (body) archive.entry({ mtime: new Date(1_700_000_000_000), ...header, size: body.length }, body, callback);
      else archive.entry({ mtime: new Date(1_700_000_000_000), ...header }, callback);
    });
  }
  archive.finalize();
  return done;
}

/** The archive as the Readable a `getArchive` call returns. */
export function archiveStream(tar: Buffer): Readable {
  return Readable.from([tar]);
}
