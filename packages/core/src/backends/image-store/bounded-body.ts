import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

/**
 * A response body held in memory, cut off as soon as it passes `limit` bytes: a registry or token
 * service (untrusted) must not make the puller buffer without bound.
 */
export async function boundedBody(response: Response, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  if (!response.body) return Buffer.alloc(0);
  for await (const chunk of Readable.fromWeb(response.body as WebReadableStream<Uint8Array>)) {
    length += (chunk as Buffer).length;
    if (length > limit) throw new Error(`${what} is larger than ${limit / 1024 / 1024} MiB: refused`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
