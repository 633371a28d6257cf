import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { boundedBody } from './bounded-body.js';
import { authorizationFor } from './registry-authorization.js';
import { isLoopbackRegistry, type RegistryReference } from './registry-reference.js';

/** The Docker daemon's own limit on a manifest's size. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** Configs are a few KiB; this bounds what is held in memory. */
const MAX_CONFIG_BYTES = 8 * 1024 * 1024;

/**
 * The registry HTTP API (distribution-spec) for one repository, as a puller without a daemon
 * needs it: GETs under `/v2/<repository>/`, answering a 401 once with the Authorization its
 * challenge asks for (registry-authorization.ts). Every request is bounded by `signal`; blobs are checked
 * against their digest and declared size as they arrive. No credential or token is ever put into
 * a message.
 */
export class RegistryClient {
  private base: string | undefined;
  private authorization: string | undefined;

  constructor(
    readonly ref: RegistryReference,
    private readonly signal: AbortSignal,
  ) {}

  /** A successful response to `GET /v2/<repository>/<path>`. */
  async get(path: string, accept?: string): Promise<Response> {
    const url = `${await this.baseUrl()}/v2/${this.ref.repository}/${path}`;
    let response = await this.fetch(url, accept);
    if (response.status === 401 && this.authorization === undefined) {
      const challenge = response.headers.get('www-authenticate') ?? '';
      await response.body?.cancel();
      this.authorization = await authorizationFor(this.ref, challenge, this.signal);
      response = await this.fetch(url, accept);
    }
    if (!response.ok) {
      await response.body?.cancel();
      const denied = response.status === 401 || response.status === 403 ? ' (access denied: check the credentials for it)' : '';
      throw new Error(`${this.ref.apiHost} answered ${response.status} for ${this.ref.repository} ${path.split('/')[0]}${denied}`);
    }
    return response;
  }

  /** A manifest's bytes; a registry sending more than the Docker daemon accepts (4 MiB) is cut off. */
  async manifestBytes(reference: string, accept: string): Promise<{ bytes: Buffer; type: string }> {
    const response = await this.get(`manifests/${reference}`, accept);
    const bytes = await boundedBody(response, MAX_MANIFEST_BYTES, `the manifest for ${reference}`);
    return { bytes, type: response.headers.get('content-type') ?? '' };
  }

  /** A blob's bytes (an image config), checked against its digest; one declared larger than 8 MiB is no config. */
  async blobBytes(digest: string, size: number): Promise<Buffer> {
    if (size > MAX_CONFIG_BYTES) throw new Error(`${digest} is declared ${size} bytes: too large for an image config, refused`);
    const chunks: Buffer[] = [];
    const collect = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    });
    await this.blobInto(digest, size, collect);
    return Buffer.concat(chunks);
  }

  /** A blob (an image layer) into a new file, checked against its digest and size as it arrives. */
  async blobToFile(digest: string, size: number, path: string): Promise<void> {
    await this.blobInto(digest, size, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
  }

  private async blobInto(digest: string, size: number, sink: Writable): Promise<void> {
    const response = await this.get(`blobs/${digest}`);
    const hash = createHash('sha256');
    let received = 0;
    const check = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        // A registry that sends more than the manifest declared is cut off, not read to the end.
        if (received > size) return done(new Error(`${digest} is larger than the ${size} bytes its manifest declares`));
        hash.update(chunk);
        done(null, chunk);
      },
      flush(done) {
        const actual = `sha256:${hash.digest('hex')}`;
        if (received !== size || actual !== digest)
          return done(new Error(`the registry sent ${received} bytes for ${digest} that hash to ${actual}: refused`));
        done();
      },
    });
    const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
    await pipeline(body, check, sink, { signal: this.signal });
  }

  private fetch(url: string, accept?: string): Promise<Response> {
    const headers: Record<string, string> = {};
    if (accept) headers.accept = accept;
    if (this.authorization) headers.authorization = this.authorization;
    // fetch drops Authorization when a blob redirects to another origin (object storage).
    return fetch(url, { headers, signal: this.signal });
  }

  /** https; a loopback registry without TLS over http, as the Docker daemon treats 127.0.0.0/8. */
  private async baseUrl(): Promise<string> {
    if (this.base) return this.base;
    const secure = `https://${this.ref.apiHost}`;
    if (!isLoopbackRegistry(this.ref.apiHost)) return (this.base = secure);
    try {
      const probe = await fetch(`${secure}/v2/`, { signal: this.signal });
      await probe.body?.cancel();
      return (this.base = secure);
    } catch (error) {
      if (this.signal.aborted) throw error;
      return (this.base = `http://${this.ref.apiHost}`);
    }
  }
}
