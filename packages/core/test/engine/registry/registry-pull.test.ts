import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, isToolError, runMany, runTool, terminalProgress, type FanOutProgress, type ToolEvent } from '@tooldock/core';
import { formatPullProgress, pullImages, RegistryAuthError } from '@tooldock/core/images';
import { progressBundle } from '@tooldock/jupyter';
import { pullsInFlight } from '../../../src/registry/shared-pull.js';
import { basicAuth, TestRegistry, writeCredentialHelper, writeDockerConfig } from '#test-support/registry.js';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();
const engine = connect();
const registry = new TestRegistry();
const REPOSITORY = 'private/tool';
let reference: string;
const localImages: string[] = [];

/** An image on top of the busybox test image with a random 6 MB layer, so every pull downloads it. */
function buildImage(marker: string): string {
  const context = tempDir('registry-image');
  writeFileSync(join(context, 'payload'), randomBytes(6 * 1024 * 1024));
  writeFileSync(join(context, 'which'), marker);
  writeFileSync(join(context, 'Dockerfile'), `FROM ${busybox}\nCOPY payload /payload\nCOPY which /which\n`);
  const tag = `tooldock-test/registry-pull:${marker}-${randomBytes(4).toString('hex')}`;
  execFileSync('docker', ['build', '-q', '-t', tag, context], { stdio: 'ignore' });
  localImages.push(tag);
  return tag;
}

function imageIdOf(image: string): string {
  return execFileSync('docker', ['image', 'inspect', '--format', '{{.Id}}', image], { encoding: 'utf8' }).trim();
}

function removeImage(image: string): void {
  try {
    execFileSync('docker', ['rmi', '-f', image], { stdio: 'ignore' });
  } catch {
    /* not there */
  }
}

/** Runs `fn` with DOCKER_CONFIG (and optionally PATH) pointing at a test config, restoring both after. */
async function withDockerConfig<T>(config: unknown, fn: (dir: string) => Promise<T>, pathDir?: string): Promise<T> {
  const saved = { config: process.env.DOCKER_CONFIG, path: process.env.PATH };
  const dir = tempDir('docker-config');
  if (config !== undefined) writeDockerConfig(dir, config);
  process.env.DOCKER_CONFIG = dir;
  if (pathDir) process.env.PATH = `${pathDir}:${saved.path}`;
  try {
    return await fn(dir);
  } finally {
    if (saved.config === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = saved.config;
    process.env.PATH = saved.path;
  }
}

/** The daemon's own `pull` events for `image` since `sinceMs`: one per pull it was asked for. */
async function daemonPulls(image: string, sinceMs: number): Promise<number> {
  // The API reads "seconds.nanoseconds" (the fraction is nanoseconds, not a decimal fraction).
  const since = `${Math.floor(sinceMs / 1000)}.${String(sinceMs % 1000).padStart(3, '0')}000000`;
  const stream = (await engine.docker.getEvents({
    since: since as unknown as number,
    until: Math.ceil(Date.now() / 1000) + 1,
    filters: { type: ['image'], event: ['pull'] },
  })) as unknown as Readable;
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text.split('\n').filter((line) => line.trim() && (JSON.parse(line) as { id: string }).id === image).length;
}

/** Requests for the tag's manifest the registry answered with 200: one per pull the daemon made. */
function manifestRequests(): number {
  return registry.log().match(new RegExp(`"HEAD /v2/${REPOSITORY}/manifests/1 HTTP/[0-9.]+" 200 `, 'g'))?.length ?? 0;
}

function goodAuths() {
  return { auths: { [registry.host]: basicAuth(registry.username, registry.password) } };
}

/** A TTY-like stream that keeps what terminalProgress draws. */
function capturedTerminal(): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  Object.assign(stream, { isTTY: true, columns: 160, rows: 40 });
  // eslint-disable-next-line no-control-regex
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '') };
}

/** Every secret-bearing form of a failed run: message, cause chain, JSON, console form. */
function everyFormOf(error: unknown): string {
  const forms: string[] = [];
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    forms.push(String((e as Error).message), JSON.stringify(e), inspect(e, { depth: 5, showHidden: true }));
  }
  return forms.join('\n');
}

describe('pulling from a private registry (docker-registry 2.8, htpasswd)', () => {
  let second: string;
  let secondId: string;

  beforeAll(async () => {
    await registry.start();
    const first = buildImage('A');
    second = buildImage('B');
    reference = registry.push(first, `${REPOSITORY}:1`);
    removeImage(first); // its layers leave the daemon: every pull below downloads them
  }, 120_000);

  afterEach(() => removeImage(reference));

  afterAll(() => {
    removeImage(reference);
    for (const image of localImages) removeImage(image);
    registry.stop();
  });

  it("logs in with the config file's auths entry; progress events arrive during the pull and render in both displays", async () => {
    await withDockerConfig(goodAuths(), async () => {
      const events: ToolEvent[] = [];
      const terminal = capturedTerminal();
      const draw = terminalProgress({ stream: terminal.stream, fps: 1000 });
      const notebookRows: string[] = [];
      const onProgress = (progress: FanOutProgress) => {
        draw(progress);
        if (progress.tasks[0]!.state === 'pulling' && progress.tasks[0]!.pull) notebookRows.push(progressBundle(progress, 'pull')['text/html']);
      };
      const [result] = await runMany([{ image: reference, args: ['cat', '/which'], options: { onEvent: (e) => events.push(e) } }], {
        onProgress,
        engine,
      });
      expect(result.stdout).toBe('A');

      const summaries = events.filter((e): e is Extract<ToolEvent, { type: 'image:pull-progress' }> => e.type === 'image:pull-progress');
      const pulledAt = events.findIndex((e) => e.type === 'image:pulled');
      expect(summaries.length).toBeGreaterThan(0);
      expect(events.indexOf(summaries[0]!)).toBeLessThan(pulledAt);
      const last = summaries.at(-1)!;
      expect(last.layersTotal).toBeGreaterThanOrEqual(2);
      expect(last.layersDone).toBe(last.layersTotal);
      expect(last.bytesTotal).toBeGreaterThan(6_000_000); // the random layer, sent compressed but incompressible
      expect(last.bytesCurrent).toBe(last.bytesTotal);

      expect(terminal.text()).toMatch(/↓ .*pulling \d+\/\d+ layers · [\d.]+\/[\d.]+ MB/);
      expect(notebookRows.join('\n')).toMatch(/pulling<\/td>.*pulling \d+\/\d+ layers · [\d.]+\/[\d.]+ MB/);
      expect(formatPullProgress(last)).toMatch(/^pulling (\d+)\/\1 layers · ([\d.]+)\/\2 MB/);
    });
  });

  it.each([
    ['credHelpers', (host: string) => ({ credHelpers: { [host]: 'tooldock-test' } })],
    ['credsStore', () => ({ credsStore: 'tooldock-test' })],
  ])('logs in through a credential helper named by %s', async (_kind, config) => {
    const helperDir = tempDir('credential-helper');
    writeCredentialHelper(helperDir, 'tooldock-test', { [registry.host]: { username: registry.username, secret: registry.password } });
    await withDockerConfig(
      config(registry.host),
      async () => {
        const result = await runTool(reference, ['cat', '/which'], [], { engine });
        expect(result.stdout).toBe('A');
      },
      helperDir,
    );
    expect(readFileSync(join(helperDir, 'tooldock-test.calls'), 'utf8')).toBe(`${registry.host}\n`);
  });

  it('logs in with the explicit auth option, which wins over the config file', async () => {
    await withDockerConfig({ auths: { [registry.host]: basicAuth(registry.username, 'not-this-one') } }, async () => {
      const result = await runTool(reference, ['cat', '/which'], [], { engine, auth: { username: registry.username, password: registry.password } });
      expect(result.stdout).toBe('A');
    });
  });

  it('a wrong password in the config file: a clear ToolError naming the registry, the file and the fix, never the secret', async () => {
    const wrong = `wrong-${randomBytes(6).toString('hex')}`;
    await withDockerConfig({ auths: { [registry.host]: basicAuth(registry.username, wrong) } }, async (dir) => {
      const error = await runTool(reference, ['true'], [], { engine }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isToolError(error)).toBe(true);
      const message = (error as Error).message;
      expect(message).toContain(
        `the registry ${registry.host} refused the credentials from auths["${registry.host}"] in ${join(dir, 'config.json')}`,
      );
      expect(message).toContain(`docker login ${registry.host}`);
      expect((error as Error).cause).toBeInstanceOf(RegistryAuthError);
      const all = everyFormOf(error);
      expect(all).not.toContain(wrong);
      expect(all).not.toContain(Buffer.from(`${registry.username}:${wrong}`).toString('base64'));
    });
  });

  it('a wrong password as the auth option: the error says so, and the option never shows its secret', async () => {
    const wrong = `wrong-${randomBytes(6).toString('hex')}`;
    await withDockerConfig(undefined, async () => {
      const error = await runTool(reference, ['true'], [], { engine, auth: { username: registry.username, password: wrong } }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isToolError(error)).toBe(true);
      expect((error as Error).message).toContain(`the registry ${registry.host} refused the credentials from the auth option`);
      expect(everyFormOf(error)).not.toContain(wrong);
    });
  });

  it('no credentials anywhere: the error says where it looked', async () => {
    await withDockerConfig(undefined, async (dir) => {
      const error = await runTool(reference, ['true'], [], { engine }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isToolError(error)).toBe(true);
      expect((error as Error).message).toContain(
        `the registry ${registry.host} needs credentials and none were found (tried ${join(dir, 'config.json')} (no such file))`,
      );
    });
  });

  it('pull: "always" follows a moved tag to the new image', async () => {
    await withDockerConfig(goodAuths(), async () => {
      const before = await runTool(reference, ['cat', '/which'], [], { engine });
      registry.push(second, `${REPOSITORY}:1`); // the tag now names image B in the registry …
      execFileSync('docker', ['tag', before.imageId, reference]); // … and still image A on this daemon
      const cached = await runTool(reference, ['cat', '/which'], [], { engine }); // "missing": the daemon's copy
      const fresh = await runTool(reference, ['cat', '/which'], [], { engine, pull: 'always' });
      expect([before.stdout, cached.stdout, fresh.stdout]).toEqual(['A', 'A', 'B']);
      expect(cached.imageId).toBe(before.imageId);
      expect(fresh.imageId).not.toBe(before.imageId);
      secondId = fresh.imageId;
      expect(fresh.imageId).toBe(imageIdOf(second));
      removeImage(before.imageId); // untagged by the pull
    });
  });

  it('five concurrent runs of a missing image pull it once; one giving up does not fail the others', async () => {
    await withDockerConfig(goodAuths(), async () => {
      const since = Date.now(); // to the millisecond: the previous test's pull is not counted
      const manifestsBefore = manifestRequests();
      const quitter = new AbortController();
      const runs = Array.from({ length: 5 }, (_, i) =>
        runTool(reference, ['cat', '/which'], [], {
          engine,
          ...(i === 0 ? { signal: quitter.signal, onEvent: (e: ToolEvent) => e.type === 'image:pull' && quitter.abort() } : {}),
        }),
      );
      const outcomes = await Promise.allSettled(runs);
      expect(outcomes[0]!.status).toBe('rejected');
      expect(isToolError((outcomes[0] as PromiseRejectedResult).reason) && (outcomes[0] as PromiseRejectedResult).reason.canceled).toBe(true);
      const outputs = outcomes.slice(1).map((o) => o.status === 'fulfilled' && o.value.stdout);
      expect(outputs).toEqual(Array(4).fill(outputs[0]));
      expect(['A', 'B']).toContain(outputs[0]); // B once the moved-tag test ran
      // Real evidence, from both ends: the daemon was asked once, the registry served the manifest once.
      expect(await daemonPulls(reference, since)).toBe(1);
      expect(manifestRequests() - manifestsBefore).toBe(1);
    });
  });

  it('the only run waiting for a pull gives up: the pull is dropped, and the next run starts afresh', async () => {
    await withDockerConfig(goodAuths(), async () => {
      const quitter = new AbortController();
      const error = await runTool(reference, ['true'], [], {
        engine,
        signal: quitter.signal,
        onEvent: (e) => e.type === 'image:pull' && quitter.abort(),
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isToolError(error) && error.canceled).toBe(true);
      expect(pullsInFlight()).toBe(0);
      const result = await runTool(reference, ['cat', '/which'], [], { engine });
      expect(['A', 'B']).toContain(result.stdout);
    });
  });

  it('pullImages pre-pulls a list (a present image is skipped), with progress for terminalProgress', async () => {
    await withDockerConfig(goodAuths(), async () => {
      const terminal = capturedTerminal();
      removeImage(second); // its layers leave the daemon: the pull downloads them
      const pulled = await pullImages([reference, busybox, reference], {
        engine,
        onProgress: terminalProgress({ stream: terminal.stream, fps: 1000 }),
      });
      expect(pulled.map((p) => [p.image, p.pulled])).toEqual([
        [reference, true],
        [busybox, false],
      ]);
      expect(pulled[0]!.imageId).toBe(secondId);
      expect(terminal.text()).toContain('2/2 finished');
      expect(terminal.text()).toMatch(/pulling \d+\/\d+ layers · [\d.]+\/[\d.]+ MB/);
    });
  });

  it('pullImages: a refused image rejects with a ToolError naming it', async () => {
    await withDockerConfig(undefined, async () => {
      const error = await pullImages([reference], { engine }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isToolError(error)).toBe(true);
      expect((error as Error).message).toContain(`Could not pull ${reference}: the registry ${registry.host} needs credentials`);
    });
  });
});
