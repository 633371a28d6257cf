import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunOptionsSchema } from '@tooldock/core/advanced';
import { findCredentials } from '../../../src/registry/find-credentials.js';
import { credentialKey, registryOf } from '../../../src/registry/registry-host.js';
import { scrub } from '../../../src/registry/pull-error.js';
import { basicAuth, writeCredentialHelper, writeDockerConfig } from '#test-support/registry.js';
import { tempDir } from '#test-support/temp-dir.js';

const never = new AbortController().signal;
const saved = { config: process.env.DOCKER_CONFIG, path: process.env.PATH };
let configDir: string;

beforeEach(() => {
  configDir = tempDir('docker-config');
  process.env.DOCKER_CONFIG = configDir;
});
afterEach(() => {
  if (saved.config === undefined) delete process.env.DOCKER_CONFIG;
  else process.env.DOCKER_CONFIG = saved.config;
  process.env.PATH = saved.path;
});

function helperOnPath(name: string, known: Parameters<typeof writeCredentialHelper>[2]): string {
  const dir = tempDir('helper');
  writeCredentialHelper(dir, name, known);
  process.env.PATH = `${dir}:${saved.path}`;
  return dir;
}

describe('registry of an image reference, and its credential key', () => {
  it.each([
    ['busybox', 'docker.io', 'https://index.docker.io/v1/'],
    ['library/busybox:1', 'docker.io', 'https://index.docker.io/v1/'],
    ['docker.io/biocontainers/samtools:1', 'docker.io', 'https://index.docker.io/v1/'],
    ['index.docker.io/x/y', 'docker.io', 'https://index.docker.io/v1/'],
    ['quay.io/biocontainers/samtools:1.22.1--h96c455f_0', 'quay.io', 'quay.io'],
    ['127.0.0.1:5000/private/tool:1', '127.0.0.1:5000', '127.0.0.1:5000'],
    ['localhost/x@sha256:' + 'a'.repeat(64), 'localhost', 'localhost'],
    ['user/repo:tag', 'docker.io', 'https://index.docker.io/v1/'],
  ])('%s → %s', (image, registry, key) => {
    expect(registryOf(image)).toBe(registry);
    expect(credentialKey(registryOf(image))).toBe(key);
  });
});

describe("findCredentials: the docker CLI's lookup order", () => {
  it('no config file: anonymous, and says where it looked', async () => {
    const found = await findCredentials('quay.io', undefined, never);
    expect(found.authconfig).toBeUndefined();
    expect(found.tried).toBe(`${join(configDir, 'config.json')} (no such file)`);
  });

  it('auths: base64 user:password, under the exact key or a legacy URL key', async () => {
    writeDockerConfig(configDir, { auths: { 'https://quay.io/v1/': basicAuth('me', 'pa:ss') } });
    const found = await findCredentials('quay.io', undefined, never);
    expect(found.authconfig).toEqual({ username: 'me', password: 'pa:ss', serveraddress: 'quay.io' });
    expect(found.tried).toBe(`auths["https://quay.io/v1/"] in ${join(configDir, 'config.json')}`);
    expect(found.secrets).toContain('pa:ss');
  });

  it('auths: an identity token wins over user:password', async () => {
    writeDockerConfig(configDir, { auths: { 'https://index.docker.io/v1/': { ...basicAuth('me', 'pw'), identitytoken: 'tok-123' } } });
    expect((await findCredentials('docker.io', undefined, never)).authconfig).toEqual({
      identitytoken: 'tok-123',
      serveraddress: 'https://index.docker.io/v1/',
    });
  });

  it('credHelpers for the registry beats credsStore, which beats auths; `<token>` means an identity token', async () => {
    helperOnPath('per-registry', { 'quay.io': { username: '<token>', secret: 'refresh-tok' } });
    writeDockerConfig(configDir, {
      credHelpers: { 'quay.io': 'per-registry' },
      credsStore: 'missing-store',
      auths: { 'quay.io': basicAuth('file', 'filepw') },
    });
    const found = await findCredentials('quay.io', undefined, never);
    expect(found.authconfig).toEqual({ identitytoken: 'refresh-tok', serveraddress: 'quay.io' });
    expect(found.tried).toContain('docker-credential-per-registry (credHelpers["quay.io"] in');
  });

  it('a helper with nothing stored: anonymous (as the CLI), saying so', async () => {
    helperOnPath('empty', {});
    writeDockerConfig(configDir, { credsStore: 'empty', auths: { 'quay.io': basicAuth('file', 'filepw') } });
    const found = await findCredentials('quay.io', undefined, never);
    expect(found.authconfig).toBeUndefined();
    expect(found.tried).toMatch(/docker-credential-empty \(credsStore in .*\), which has none stored for quay\.io$/);
  });

  it('a helper that is not installed, or whose name is a path: a clear error', async () => {
    writeDockerConfig(configDir, { credsStore: 'no-such-helper-here' });
    await expect(findCredentials('quay.io', undefined, never)).rejects.toThrow(/docker-credential-no-such-helper-here is not on PATH/);
    writeDockerConfig(configDir, { credsStore: '../../tmp/evil' });
    await expect(findCredentials('quay.io', undefined, never)).rejects.toThrow(/"\.\.\/\.\.\/tmp\/evil" is not a plain program name/);
  });

  it('a helper that floods its output is killed; one that hangs ends with the signal', async () => {
    const dir = tempDir('helper');
    writeFileSync(join(dir, 'docker-credential-flood'), '#!/bin/sh\nexec yes secret\n', { mode: 0o755 });
    writeFileSync(join(dir, 'docker-credential-hang'), '#!/bin/sh\nexec sleep 60\n', { mode: 0o755 });
    process.env.PATH = `${dir}:${saved.path}`;
    writeDockerConfig(configDir, { credsStore: 'flood' });
    await expect(findCredentials('quay.io', undefined, never)).rejects.toThrow(/wrote more than 65536 bytes/);
    writeDockerConfig(configDir, { credsStore: 'hang' });
    const started = Date.now();
    await expect(findCredentials('quay.io', undefined, AbortSignal.timeout(300))).rejects.toBeDefined();
    expect(Date.now() - started).toBeLessThan(10_000); // ended by the signal, not by sleep 60
  });

  it('a config file that is not JSON: an error naming it, without quoting it', async () => {
    writeFileSync(join(configDir, 'config.json'), '{"auths": {"quay.io": {"auth": "c2VjcmV0"}},,}');
    const error = await findCredentials('quay.io', undefined, never).catch((e: Error) => e);
    expect((error as Error).message).toContain(`${join(configDir, 'config.json')} is not valid JSON`);
    expect((error as Error).message).not.toContain('c2VjcmV0');
  });

  it('the explicit auth option wins, and never shows its secret in JSON or console output', async () => {
    writeDockerConfig(configDir, { auths: { 'quay.io': basicAuth('file', 'filepw') } });
    const options = RunOptionsSchema.parse({ auth: { username: 'me', password: 'hunter2-secret' } });
    const found = await findCredentials('quay.io', options.auth, never);
    expect(found.authconfig).toEqual({ username: 'me', password: 'hunter2-secret', serveraddress: 'quay.io' });
    expect(found.tried).toBe('the auth option');
    expect(JSON.stringify(options)).not.toContain('hunter2-secret');
    expect(inspect(options, { depth: 5 })).not.toContain('hunter2-secret');
    expect(JSON.stringify(options)).toContain('user me, secret hidden');
  });

  it('rejects a malformed auth option with one clear message', () => {
    const result = RunOptionsSchema.safeParse({ auth: { username: 'me' } });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.message).toBe('must be { username, password }, { identitytoken } or { registrytoken }');
  });

  it('scrub blanks a secret and its base64 form', () => {
    expect(scrub('x hunter2-secret y aHVudGVyMi1zZWNyZXQ= z', ['hunter2-secret'])).toBe('x *** y *** z');
  });
});
