import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../../src/backends/image-store/registry-client.js';
import { parseRegistryReference } from '../../../src/backends/image-store/registry-reference.js';
import { platformManifest, resolveInRegistry } from '../../../src/backends/image-store/registry-source.js';
import { writeDockerConfig, basicAuth } from '#test-support/registry.js';
import { tempDir } from '#test-support/temp-dir.js';

describe('image references as a registry reads them', () => {
  it.each([
    ['busybox', 'docker.io', 'registry-1.docker.io', 'library/busybox', 'latest'],
    ['biocontainers/samtools:1.19', 'docker.io', 'registry-1.docker.io', 'biocontainers/samtools', '1.19'],
    ['docker.io/library/ubuntu:22.04', 'docker.io', 'registry-1.docker.io', 'library/ubuntu', '22.04'],
    ['127.0.0.1:5000/team/tool:2', '127.0.0.1:5000', '127.0.0.1:5000', 'team/tool', '2'],
    ['localhost/tool', 'localhost', 'localhost', 'tool', 'latest'],
    [`quay.io/biocontainers/bwa:0.7@sha256:${'a'.repeat(64)}`, 'quay.io', 'quay.io', 'biocontainers/bwa', `sha256:${'a'.repeat(64)}`],
  ])('%s', (image, registry, apiHost, repository, reference) => {
    expect(parseRegistryReference(image)).toEqual({ registry, apiHost, repository, reference });
  });

  it('refuses what no registry serves', () => {
    expect(() => parseRegistryReference('Upper/Case')).toThrow(/no image reference a registry serves/);
    expect(() => parseRegistryReference('tool@sha256:short')).toThrow(/sha256:<64 hex>/);
  });

  it("picks the index entry for linux on this machine's architecture, or names what the index has", () => {
    const entries = [
      { digest: 'sha256:arm', size: 1, platform: { os: 'linux', architecture: 'arm64' } },
      { digest: 'sha256:amd', size: 1, platform: { os: 'linux', architecture: 'amd64' } },
    ];
    expect(platformManifest(entries, 'x64').digest).toBe('sha256:amd');
    expect(platformManifest(entries, 'arm64').digest).toBe('sha256:arm');
    expect(() => platformManifest(entries, 's390x')).toThrow('no image for linux/s390x in its index (it has linux/arm64, linux/amd64)');
  });
});

/**
 * A registry with token auth, as Docker Hub, quay.io and ghcr.io answer: a 401 naming a realm,
 * a token service checking Basic credentials, and blobs. No registry with token auth runs here
 * (Debian's docker-registry is tested with htpasswd in the Charliecloud tests).
 */
describe('the registry client against a token-auth registry of its own', () => {
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const token = `tok-${Math.random().toString(36).slice(2)}`;
  const config = Buffer.from(JSON.stringify({ config: { Cmd: ['sh'], Env: ['PATH=/bin'] } }));
  const layer = Buffer.from('not really a tar, but bytes with a digest');
  const digest = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digest(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digest(layer), size: layer.length }],
  };
  let server: Server;
  let host = '';
  const tokenRequests: string[] = [];

  function answer(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url!, `http://${host}`);
    if (url.pathname === '/endless-token') {
      tokenRequests.push(url.search);
      response.writeHead(200, { 'content-type': 'application/json' }).end(Buffer.alloc(2 * 1024 * 1024, 0x20)); // no token service's answer
      return;
    }
    if (url.pathname === '/token') {
      tokenRequests.push(url.search);
      const ok = request.headers.authorization === `Basic ${Buffer.from(`me:${password}`).toString('base64')}`;
      response.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(ok ? JSON.stringify({ token }) : '{}');
      return;
    }
    if (request.headers.authorization !== `Bearer ${token}`) {
      const realm = url.pathname.includes('/plain-realm/')
        ? 'http://example.invalid/token'
        : `http://${host}/${url.pathname.includes('/endless-token/') ? 'endless-token' : 'token'}`;
      response.writeHead(401, { 'www-authenticate': `Bearer realm="${realm}",service="test-registry",scope="repository:team/tool:pull"` }).end();
      return;
    }
    if (url.pathname === '/v2/team/huge/manifests/1') {
      response.end(Buffer.alloc(5 * 1024 * 1024, 0x20)); // whitespace: valid JSON around nothing, but too much of it
    } else if (url.pathname === '/v2/team/big-config/manifests/1') {
      response.end(JSON.stringify({ ...manifest, config: { ...manifest.config, size: 100 * 1024 * 1024 } }));
    } else if (url.pathname.endsWith('/manifests/1')) {
      response.writeHead(200, { 'content-type': manifest.mediaType }).end(JSON.stringify(manifest));
    } else if (url.pathname.endsWith(`/blobs/${digest(config)}`)) response.end(config);
    else if (url.pathname.endsWith(`/blobs/${digest(layer)}`)) response.end(Buffer.concat([layer, Buffer.from('and more than declared')]));
    else response.writeHead(404).end();
  }

  beforeAll(async () => {
    server = createServer(answer);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dir = tempDir('token-registry-config');
    writeDockerConfig(dir, { auths: { [host]: basicAuth('me', password) } });
    process.env.DOCKER_CONFIG = dir;
  });
  afterAll(() => {
    delete process.env.DOCKER_CONFIG;
    server.close();
  });

  it('gets a pull token with the stored credentials, then the manifest and the checked config', async () => {
    const found = await resolveInRegistry(`${host}/team/tool:1`, AbortSignal.timeout(10_000));
    expect(found).toMatchObject({ found: true, image: { imageId: digest(config), cmd: ['sh'], env: ['PATH=/bin'], layers: manifest.layers } });
    expect(tokenRequests).toEqual(['?service=test-registry&scope=repository%3Ateam%2Ftool%3Apull']); // one token for the pull
  });

  it('refuses a manifest over 4 MiB and a config declared over 8 MiB, without holding them', async () => {
    const huge = await resolveInRegistry(`${host}/team/huge:1`, AbortSignal.timeout(10_000));
    expect(huge).toEqual({ found: false, why: 'its registry did not serve it: the manifest for 1 is larger than 4 MiB: refused' });
    const bigConfig = await resolveInRegistry(`${host}/team/big-config:1`, AbortSignal.timeout(10_000));
    expect(bigConfig).toEqual({
      found: false,
      why: `its registry did not serve it: ${digest(config)} is declared ${100 * 1024 * 1024} bytes: too large for an image config, refused`,
    });
  });

  it('refuses a token answer over 1 MiB without holding it', async () => {
    const found = await resolveInRegistry(`${host}/endless-token/tool:1`, AbortSignal.timeout(10_000));
    expect(found).toEqual({
      found: false,
      why: `its registry did not serve it: the answer of the token service http://${host} is larger than 1 MiB: refused`,
    });
  });

  it('cuts off a blob longer than its manifest declares', async () => {
    const client = new RegistryClient(parseRegistryReference(`${host}/team/tool:1`), AbortSignal.timeout(10_000));
    await expect(client.blobBytes(digest(layer), layer.length)).rejects.toThrow(
      `${digest(layer)} is larger than the ${layer.length} bytes its manifest declares`,
    );
  });

  it('refuses to send credentials to a realm over plain http that is not loopback (and sends nothing)', async () => {
    const found = await resolveInRegistry(`${host}/plain-realm/tool:1`, AbortSignal.timeout(10_000));
    expect(found).toEqual({
      found: false,
      why: 'its registry did not serve it: 127.0.0.1 names a token realm that is not https (http://example.invalid): refused'.replace(
        '127.0.0.1',
        host,
      ),
    });
    expect(JSON.stringify(found)).not.toContain(password);
  });
});
