import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool } from '@tooldock/core';
import { thrown } from '#test-support/invalid-input.js';
import { writeDockerConfig } from '#test-support/registry.js';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();
const SECRET = 'planted-s3cret-7f1c9e';
const saved = { home: process.env.TOOLDOCK_HOME, config: process.env.DOCKER_CONFIG, path: process.env.PATH };
let home: string;
let helperDir: string;

/** Every place the secret could leak through from an error. */
function everyForm(error: unknown): string {
  return [String(error), (error as Error).message, inspect(error, { depth: 8, showHidden: true }), JSON.stringify(error)].join('\n');
}

/** Every process's command line on this machine. */
function allArgv(): string {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8');
      } catch {
        return '';
      }
    })
    .join('\n');
}

function records(): string {
  const dir = join(home, 'records');
  return readdirSync(dir)
    .map((name) => readFileSync(join(dir, name), 'utf8'))
    .join('\n');
}

/** Running (a zombie waiting for a reaper that is not ours counts as gone). */
function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[0] !== 'Z';
  } catch {
    return false;
  }
}

// Issue 23, item 4 (and the weak item on a hanging helper's background child).
describe('no planted secret in any message, inspect form, JSON form, record or argv', () => {
  beforeAll(() => {
    home = tempDir('home');
    process.env.TOOLDOCK_HOME = home;
    helperDir = tempDir('helpers');
    process.env.PATH = `${helperDir}:${saved.path}`;
    process.env.DOCKER_CONFIG = tempDir('docker-config');
  });
  afterAll(() => {
    for (const [key, value] of [
      ['TOOLDOCK_HOME', saved.home],
      ['DOCKER_CONFIG', saved.config],
      ['PATH', saved.path],
    ] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('a credential helper that prints its secret and fails: not quoted in the error nor the record', async () => {
    writeFileSync(join(helperDir, 'docker-credential-leaky'), `#!/bin/sh\necho "${SECRET}"\nexit 1\n`, { mode: 0o755 });
    writeDockerConfig(process.env.DOCKER_CONFIG!, { credsStore: 'leaky' });
    const error = await runTool('127.0.0.1:9/lab/private:1', ['true'], [], { pull: 'always' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeDefined();
    expect((error as Error).message).toMatch(/docker-credential-leaky get failed \(exit 1\); its output is not shown/);
    expect(everyForm(error)).not.toContain(SECRET);
    await new Promise((r) => setTimeout(r, 200)); // the record's append
    expect(records()).toContain('docker-credential-leaky');
    expect(records()).not.toContain(SECRET);
    expect(allArgv()).not.toContain(SECRET);
  });

  it("a hanging helper's background child does not outlive the run", async () => {
    const pidFile = join(tempDir('pids'), 'child');
    writeFileSync(join(helperDir, 'docker-credential-hangs'), `#!/bin/sh\nsleep 300 &\necho $! > ${pidFile}\nsleep 300\n`, { mode: 0o755 });
    writeDockerConfig(process.env.DOCKER_CONFIG!, { credsStore: 'hangs' });
    await runTool('127.0.0.1:9/lab/private:1', ['true'], [], { pull: 'always', timeoutMs: 1500 }).catch(() => {});
    const child = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((r) => setTimeout(r, 300));
    expect(alive(child)).toBe(false);
  });

  it('a typo in auth ({ user, pass }) and an env value with NUL: the InvalidInputError hides the value', () => {
    const auth = thrown(() => runTool(busybox, ['true'], [], { auth: { user: 'me', pass: SECRET } as never }));
    expect(auth.field).toMatch(/^options\.auth/);
    expect(everyForm(auth)).not.toContain(SECRET);
    const env = thrown(() => runTool(busybox, ['true'], [], { env: { TOKEN: `${SECRET}\0x` } }));
    expect(env.field).toBe('options.env.TOKEN');
    expect(env.message).toMatch(/must not contain NUL/);
    expect(everyForm(env)).not.toContain(SECRET);
  });

  it('a secret passed in env to a run that fails appears in no message, record or argv', async () => {
    const run = runTool(busybox, ['sh', '-c', 'sleep 1; exit 3'], [], { env: { TOKEN: SECRET } });
    await new Promise((r) => setTimeout(r, 500));
    expect(allArgv()).not.toContain(SECRET);
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(everyForm(error)).not.toContain(SECRET);
    await new Promise((r) => setTimeout(r, 200));
    expect(records()).not.toContain(SECRET);
  });
});
