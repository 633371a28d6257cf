import { createHash, generateKeyPairSync, createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveEngineTarget } from '../../../src/backends/docker/engine/engine-target.js';
import { isKnownHostKey } from '../../../src/backends/docker/engine/known-hosts.js';
import { tempDir } from '#test-support/temp-dir.js';

const saved = { ...process.env };
let config: string;

/** Writes a context the way `docker context create` stores it. */
function addContext(name: string, host: string, tls?: { skipVerify?: boolean }): void {
  const id = createHash('sha256').update(name).digest('hex');
  mkdirSync(join(config, 'contexts', 'meta', id), { recursive: true });
  writeFileSync(
    join(config, 'contexts', 'meta', id, 'meta.json'),
    JSON.stringify({
      Name: name,
      Metadata: { Description: '' },
      Endpoints: { docker: { Host: host, SkipTLSVerify: tls?.skipVerify ?? false } },
    }),
  );
  if (tls) {
    const dir = join(config, 'contexts', 'tls', id, 'docker');
    mkdirSync(dir, { recursive: true });
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(dir, f), `${f} of ${name}`);
  }
}

describe("which daemon, in the docker CLI's order", () => {
  beforeEach(() => {
    config = tempDir('docker-config');
    for (const k of ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH']) delete process.env[k];
    process.env.DOCKER_CONFIG = config;
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('uses the default socket without DOCKER_HOST or a context', () => {
    expect(resolveEngineTarget({}).source).toBe('default');
  });

  it('follows currentContext in config.json, and DOCKER_CONTEXT over it', () => {
    addContext('lab', 'unix:///run/lab/docker.sock');
    addContext('remote', 'ssh://ana@build.example:2222');
    writeFileSync(join(config, 'config.json'), JSON.stringify({ auths: {}, currentContext: 'lab' }));
    expect(resolveEngineTarget({})).toMatchObject({ endpoint: 'unix:///run/lab/docker.sock', source: 'config.json', context: 'lab' });
    process.env.DOCKER_CONTEXT = 'remote';
    expect(resolveEngineTarget({})).toMatchObject({
      endpoint: 'ssh://ana@build.example:2222',
      source: 'DOCKER_CONTEXT',
      context: 'remote',
      ssh: { host: 'build.example', port: 2222, username: 'ana' },
    });
    process.env.DOCKER_CONTEXT = 'default';
    expect(resolveEngineTarget({}).source).toBe('default');
  });

  it('lets DOCKER_HOST and the explicit option win over contexts', () => {
    addContext('lab', 'unix:///run/lab/docker.sock');
    process.env.DOCKER_CONTEXT = 'lab';
    process.env.DOCKER_HOST = 'tcp://127.0.0.1:2375';
    expect(resolveEngineTarget({})).toMatchObject({ endpoint: 'tcp://127.0.0.1:2375', source: 'DOCKER_HOST' });
    expect(resolveEngineTarget({ socketPath: '/x.sock' })).toMatchObject({ endpoint: 'unix:///x.sock', source: 'option' });
  });

  it("uses a TLS context's certificates", () => {
    addContext('secure', 'tcp://127.0.0.1:2376', {});
    process.env.DOCKER_CONTEXT = 'secure';
    const target = resolveEngineTarget({});
    expect(target.dockerodeOptions).toMatchObject({ protocol: 'https', host: '127.0.0.1', port: 2376 });
    expect(String(target.dockerodeOptions.ca)).toBe('ca.pem of secure');
    expect(String(target.dockerodeOptions.key)).toBe('key.pem of secure');
  });

  it('says so when the named context does not exist', () => {
    process.env.DOCKER_CONTEXT = 'nope';
    expect(() => resolveEngineTarget({})).toThrow(/docker context "nope" does not exist .*docker context ls/);
  });

  it('reads DOCKER_TLS_VERIFY and DOCKER_CERT_PATH for tcp://', () => {
    const certs = tempDir('certs');
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(certs, f), f);
    Object.assign(process.env, { DOCKER_HOST: 'tcp://127.0.0.1:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs });
    expect(resolveEngineTarget({}).dockerodeOptions).toMatchObject({ protocol: 'https', port: 2376 });
    expect(String(resolveEngineTarget({}).dockerodeOptions.cert)).toBe('cert.pem');
  });

  it('rejects an unknown scheme with the valid forms', () => {
    expect(() => resolveEngineTarget({ host: 'npipe:////./pipe/docker_engine' })).toThrow(
      /use unix:\/\/\/path\/docker.sock, tcp:\/\/host:port or ssh:\/\/user@host/,
    );
  });
});

describe('known_hosts', () => {
  const key = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' });
  const file = join(tempDir('known-hosts'), 'known_hosts');

  it('matches plain and hashed entries, port included, and nothing else', () => {
    const salt = randomBytes(20);
    const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('[127.0.0.1]:2222').digest('base64')}`;
    writeFileSync(file, `# comment\nbuild.example,10.9.9.9 ssh-ed25519 ${key.toString('base64')}\n${hashed} ssh-ed25519 ${key.toString('base64')}\n`);
    expect(isKnownHostKey(file, 'build.example', 22, key)).toBe(true);
    expect(isKnownHostKey(file, '127.0.0.1', 2222, key)).toBe(true);
    expect(isKnownHostKey(file, '127.0.0.1', 22, key)).toBe(false);
    expect(isKnownHostKey(file, 'build.example', 22, Buffer.from('another key'))).toBe(false);
    expect(isKnownHostKey(join(file, 'missing'), 'build.example', 22, key)).toBe(false);
  });
});
