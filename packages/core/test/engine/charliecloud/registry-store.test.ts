import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, runTool, type ToolEvent } from '@tooldock/core';
import { TestRegistry } from '#test-support/registry.js';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();
const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();
const registry = new TestRegistry();
const LISTING = "find /bin /etc -xdev ! -path /etc/hostname -printf '%p %y %m %s %l\\n' | sort";

/** Runs `fn` as a machine with no daemon (DOCKER_HOST names no socket) and `config` as the docker CLI config. */
async function withoutDaemon<T>(config: string, fn: () => Promise<T>): Promise<T> {
  const saved = { host: process.env.DOCKER_HOST, config: process.env.DOCKER_CONFIG };
  process.env.DOCKER_HOST = 'unix:///nonexistent/docker.sock';
  process.env.DOCKER_CONFIG = config;
  try {
    return await fn();
  } finally {
    for (const [name, value] of [
      ['DOCKER_HOST', saved.host],
      ['DOCKER_CONFIG', saved.config],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** Blob GETs the registry answered: one per layer or config downloaded. */
const blobGets = () => registry.log().match(/"GET \/v2\/[^ ]+\/blobs\/sha256:[a-f0-9]+ HTTP\/[0-9.]+" 200 /g)?.length ?? 0;

describe('the image store pulls from a registry, with no daemon (docker-registry 2.8, htpasswd)', () => {
  beforeAll(() => registry.start(), 60_000);
  afterAll(() => registry.stop());

  it('pulls, runs, keys by the id the daemon shows, pulls once, and holds the same tree as a daemon conversion', async () => {
    const reference = registry.push(busybox, 'store/busybox:1');
    const store = tempDir('store-registry');
    const events: ToolEvent[] = [];
    const first = await withoutDaemon(registry.pushConfig, () =>
      runTool(reference, ['sh', '-c', 'echo pulled; cat /etc/hostname >/dev/null; id -u'], [], {
        engine: connect({ runtime: 'charliecloud', images: store }),
        onEvent: (event) => events.push(event),
      }),
    );
    expect(first.stdout).toBe(`pulled\n${process.getuid!()}\n`);
    expect(first.imageId).toBe(docker('image', 'inspect', '--format', '{{.Id}}', busybox));
    expect(events.some((e) => e.type === 'image:convert' && /downloading/.test(e.status))).toBe(true);
    const stored = connect({ runtime: 'charliecloud', images: store }).images.list();
    expect(stored.map((image) => [image.names, image.source])).toEqual([[[reference], `registry:${reference}`]]);

    const before = blobGets();
    const again = await withoutDaemon(registry.pushConfig, () =>
      runTool(reference, ['sh', '-c', LISTING], [], { engine: connect({ runtime: 'charliecloud', images: store }) }),
    );
    expect(blobGets()).toBe(before); // served from the store

    const fromDaemon = connect({ runtime: 'charliecloud', images: tempDir('store-daemon') });
    expect((await runTool(busybox, ['sh', '-c', LISTING], [], { engine: fromDaemon })).stdout).toBe(again.stdout);
  }, 180_000);

  it('pull "always" runs the image the registry serves now, never an older copy in the store or a daemon', async () => {
    const reference = registry.push(busybox, 'store/moving:1');
    const store = tempDir('store-moving');
    const run = (pull: 'missing' | 'always') =>
      withoutDaemon(registry.pushConfig, () =>
        runTool(reference, ['sh', '-c', 'cat /moved 2>/dev/null || echo original'], [], {
          engine: connect({ runtime: 'charliecloud', images: store }),
          pull,
        }),
      );
    const original = await run('missing');
    expect(original.stdout).toBe('original\n');

    // The tag moves in the registry to an image with one more file.
    const context = tempDir('registry-moved');
    writeFileSync(join(context, 'Dockerfile'), `FROM ${busybox}\nRUN echo moved > /moved\n`);
    const local = `tooldock-test/moved:${randomBytes(4).toString('hex')}`;
    docker('build', '-q', '-t', local, context);
    registry.push(local, 'store/moving:1');
    const movedId = docker('image', 'inspect', '--format', '{{.Id}}', local);
    docker('rmi', local);

    expect((await run('missing')).imageId).toBe(original.imageId); // the stored copy, as "missing" says
    const again = await run('always');
    expect([again.stdout, again.imageId]).toEqual(['moved\n', movedId]);

    // A daemon holding the name does not stand in for a registry that does not have it.
    const absent = `${registry.host}/store/absent:1`;
    docker('tag', busybox, absent);
    try {
      const saved = process.env.DOCKER_CONFIG;
      process.env.DOCKER_CONFIG = registry.pushConfig;
      const failure = await runTool(absent, ['true'], [], {
        engine: connect({ runtime: 'charliecloud', images: tempDir('store-absent') }),
        pull: 'always',
      }).then(
        () => undefined,
        (error: unknown) => error as Error,
      );
      if (saved === undefined) delete process.env.DOCKER_CONFIG;
      else process.env.DOCKER_CONFIG = saved;
      expect(failure?.message).toMatch(/pull is "always" but the registry of .*store\/absent:1 did not serve it: .*pull: "missing"/);
    } finally {
      docker('rmi', absent);
    }
  }, 180_000);

  it('refuses a layer whose bytes do not match its digest, and keeps nothing of it', async () => {
    const context = tempDir('registry-tampered');
    writeFileSync(join(context, 'payload'), randomBytes(64 * 1024));
    writeFileSync(join(context, 'Dockerfile'), `FROM ${busybox}\nCOPY payload /payload\n`);
    const local = `tooldock-test/tampered:${randomBytes(4).toString('hex')}`;
    docker('build', '-q', '-t', local, context);
    const reference = registry.push(local, 'store/tampered:1');
    docker('rmi', local);
    // The top layer's bytes in the registry's own storage, changed in place (same size).
    const manifest = (await (
      await fetch(`http://${registry.host}/v2/store/tampered/manifests/1`, {
        headers: {
          accept: 'application/vnd.docker.distribution.manifest.v2+json',
          authorization: `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}`,
        },
      })
    ).json()) as { layers: { digest: string }[] };
    const top = manifest.layers.at(-1)!.digest.slice('sha256:'.length);
    const blob = join(registry.dir, 'data/docker/registry/v2/blobs/sha256', top.slice(0, 2), top, 'data');
    const bytes = readFileSync(blob);
    bytes[bytes.length - 40] = bytes[bytes.length - 40]! ^ 0xff;
    writeFileSync(blob, bytes);

    const store = tempDir('store-tampered');
    const failure = await withoutDaemon(registry.pushConfig, () =>
      runTool(reference, ['true'], [], { engine: connect({ runtime: 'charliecloud', images: store }) }).then(
        () => undefined,
        (error: unknown) => error as Error,
      ),
    );
    expect(failure?.message).toMatch(/hash to sha256:[a-f0-9]{64}: refused/);
    expect(readdirSync(join(store, 'images'))).toEqual([]); // no image, no partial directory, no staged layer
  }, 180_000);

  it('names the missing credentials, never a secret, when the registry asks for them', async () => {
    const reference = registry.push(busybox, 'store/private:1');
    const failure = await withoutDaemon(tempDir('no-credentials'), () =>
      runTool(reference, ['true'], [], { engine: connect({ runtime: 'charliecloud', images: tempDir('store-denied') }) }).then(
        () => undefined,
        (error: unknown) => error as Error,
      ),
    );
    expect(failure?.message).toMatch(/asks for a user name and password; none found in .*config\.json/);
    expect(failure?.message).not.toContain(registry.password);
  }, 60_000);
});
