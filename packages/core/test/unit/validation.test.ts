import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '#test-support/temp-dir.js';
import { cleanupOrphans, connect, doctor, InvalidInputError, runMany, runTool, type RunOptions } from '@tooldock/core';
import { DockerEngine, resolveHostPath } from '@tooldock/core/docker';
import { parseOrThrow } from '@tooldock/core/advanced';
import { samtools } from '@tooldock/recipes';
import { memoryToBytes, RunOptionsSchema } from '../../src/api/options.js';
import { prepareRun } from '../../src/api/run-tool.js';
import { thrown } from '#test-support/invalid-input.js';

// runTool validates synchronously: these throw before any daemon call, so no container can exist.
describe('input validation', () => {
  const dir = tempDir('valid');

  it('rejects an empty image', () => {
    const e = thrown(() => runTool('', ['true']));
    expect(e.field).toBe('image');
    expect(e.message).toMatch(/^image: "" is not valid: must be a non-empty image reference/);
  });

  it('rejects non-string args, naming the index', () => {
    const e = thrown(() => runTool('busybox', ['echo', 42 as unknown as string]));
    expect(e.message).toBe('args[1]: 42 is not valid: must be a string (convert numbers with String())');
  });

  it('rejects relative and missing mount paths', () => {
    expect(thrown(() => runTool('busybox', ['true'], ['data/in'])).message).toMatch(
      /^mounts\[0\]: "data\/in" is not valid: must be an absolute path/,
    );
    expect(thrown(() => runTool('busybox', ['true'], [dir, { path: '/no/such/dir', write: true }])).message).toMatch(
      /^mounts\[1\]\.path: "\/no\/such\/dir" is not valid: does not exist/,
    );
  });

  it('rejects negative cpus and unknown options, listing the valid ones', () => {
    expect(thrown(() => runTool('busybox', ['true'], [], { cpus: -1 })).message).toMatch(
      /^options\.cpus: -1 is not valid: must be a number of cores from 0.01/,
    );
    const unknown = thrown(() => runTool('busybox', ['true'], [], { timeout: 5 } as never));
    expect(unknown.field).toBe('options.timeout');
    expect(unknown.message).toMatch(/"timeout" is not a known option; valid options are .*timeoutMs/);
  });

  it('rejects bad sinks, users and memory sizes', () => {
    expect(thrown(() => runTool('busybox', ['true'], [], { stdout: 'file' as never })).field).toBe('options.stdout');
    expect(thrown(() => runTool('busybox', ['true'], [], { stdout: { file: '/no/such/dir/x' } })).message).toMatch(
      /directory \/no\/such\/dir must exist/,
    );
    expect(thrown(() => runTool('busybox', ['true'], [], { user: 'root' })).field).toBe('options.user');
    expect(thrown(() => runTool('busybox', ['true'], [], { memory: '1m' as never })).field).toBe('options.memory');
    expect(thrown(() => runTool('busybox', ['true'], [], { memory: 1024 })).message).toMatch(/at least 6 MiB/);
  });
});

// The adversarial review's cases: each bad value gets one InvalidInputError naming the field.
describe('careless values', () => {
  const dir = tempDir('careless');
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'in.txt'), 'x');
  const busybox = 'busybox';
  const accepted = (options: RunOptions) => parseOrThrow(RunOptionsSchema, options, 'options');

  it.each(['abc', '', '-5', 'g', '5x', '1e9', ' ', '12 34'])('rejects memory %j, listing the valid forms', (memory) => {
    const e = thrown(() => runTool(busybox, ['true'], [], { memory }));
    expect(e.field).toBe('options.memory');
    expect(e.message).toMatch(/"512m"/);
  });

  it('accepts memory sizes in the forms the docker CLI knows', () => {
    for (const memory of ['512m', '2g', '1.5GiB', '512MB', '64 m', '7000000', '1t', '8388608b']) {
      expect(accepted({ memory }).memory).toBe(memory);
    }
    expect(memoryToBytes('1.5g')).toBe(1.5 * 1024 ** 3);
    expect(memoryToBytes('512MiB')).toBe(512 * 1024 ** 2);
    expect(memoryToBytes('abc')).toBeNaN();
    expect(thrown(() => runTool(busybox, ['true'], [], { memory: '99999999999t' })).message).toMatch(/too large/);
    expect(thrown(() => runTool(busybox, ['true'], [], { memory: 2 ** 60 })).field).toBe('options.memory');
    expect(thrown(() => runTool(busybox, ['true'], [], { memory: NaN })).field).toBe('options.memory');
  });

  it('accepts any positive safe timeout, and rejects non-finite or unsafe ones clearly', () => {
    expect(accepted({ timeoutMs: 2 ** 31 }).timeoutMs).toBe(2 ** 31);
    expect(accepted({ timeoutMs: Number.MAX_SAFE_INTEGER }).timeoutMs).toBe(Number.MAX_SAFE_INTEGER);
    for (const timeoutMs of [Infinity, NaN, 2 ** 53, -1, 0, 1.5, '5000' as never]) {
      const e = thrown(() => runTool(busybox, ['true'], [], { timeoutMs }));
      expect(e.field).toBe('options.timeoutMs');
      expect(e.message).toMatch(/must be a whole number of milliseconds/);
    }
  });

  it.each(['A=B', 'A\nB', 'A\0B', ''])('rejects the env name %j, naming it', (key) => {
    const e = thrown(() => runTool(busybox, ['env'], [], { env: { [key]: '1' } }));
    expect(e.field).toBe(`options.env[${JSON.stringify(key)}]`);
    expect(e.value).toBe(key);
    expect(e.message).toMatch(/name/);
  });

  it('names a reserved label key, with the reason rather than zod\'s "Invalid key in record"', () => {
    const e = thrown(() => runTool(busybox, ['true'], [], { labels: { 'tooldock.session': 'mine' } }));
    expect(e.field).toBe('options.labels["tooldock.session"]');
    expect(e.message).toMatch(/reserved/);
  });

  it('rejects env values containing NUL, and accepts ordinary ones (newlines included)', () => {
    const e = thrown(() => runTool(busybox, ['env'], [], { env: { GREETING: 'a\0b' } }));
    expect(e.field).toBe('options.env.GREETING');
    expect(e.message).toMatch(/NUL/);
    expect(accepted({ env: { A: 'two\nlines', 'lower.dotted-name': '' } }).env).toEqual({ A: 'two\nlines', 'lower.dotted-name': '' });
  });

  it('says a mount mode suffix is unknown, and lists the valid ones', () => {
    for (const suffix of ['rw:z', 'z', 'Z', 'ro,z', 'RW', 'rw,ro', 'nocopy', 'toString']) {
      const e = thrown(() => runTool(busybox, ['true'], [`${dir}:${suffix}`]));
      expect(e.field).toBe('mounts[0]');
      expect(e.message).toMatch(/unknown mode/);
      expect(e.message).toMatch(/":ro".*":rw"/);
    }
  });

  it('keeps a ":" that is part of an existing path', () => {
    const colon = join(dir, 'run:1');
    mkdirSync(colon);
    expect(prepareRun(busybox, ['true'], [colon]).mounts[0]).toMatchObject({ path: colon, write: false });
    expect(prepareRun(busybox, ['true'], [`${colon}:rw`]).mounts[0]).toMatchObject({ path: colon, write: true });
    const literal = join(dir, 'odd:rw');
    mkdirSync(literal);
    expect(prepareRun(busybox, ['true'], [literal]).mounts[0]).toMatchObject({ path: literal, write: false });
  });

  it.each(['/proc', '/proc/self', '/sys', '/sys/fs/cgroup', '/dev', '/dev/shm', '/'])('rejects a mount onto %s, suggesting a target', (target) => {
    const e = thrown(() => runTool(busybox, ['true'], [{ path: dir, target }]));
    expect(e.field).toBe('mounts[0].target');
    expect(e.message).toMatch(/target: "\/host/);
  });

  it('rejects mounting / at its own path, naming the mount', () => {
    const e = thrown(() => runTool(busybox, ['true'], ['/']));
    expect(e.field).toBe('mounts[0]');
    expect(e.message).toMatch(/\{ path: "\/", target: "\/host" \}/);
    expect(prepareRun(busybox, ['true'], [{ path: '/', target: '/host' }]).mounts[0]).toMatchObject({ path: '/', target: '/host' });
    expect(prepareRun(busybox, ['true'], [{ path: dir, target: '/devices' }]).mounts[0]!.target).toBe('/devices');
  });

  it('rejects an output file that is a directory or not a regular file, before anything runs', () => {
    for (const name of ['stdout', 'stderr'] as const) {
      const e = thrown(() => runTool(busybox, ['true'], [], { [name]: { file: join(dir, 'sub') } }));
      expect(e.field).toBe(`options.${name}.file`);
      expect(e.message).toMatch(/is a directory/);
    }
    expect(thrown(() => runTool(busybox, ['true'], [], { stdout: { file: '/dev/null' } })).message).toMatch(/"ignore"/);
    expect(thrown(() => runTool(busybox, ['true'], [], { stdout: { file: join(dir, 'in.txt', 'x') } })).field).toBe('options.stdout.file');
  });

  it('wants stdin files to be readable regular files or FIFOs', () => {
    const e = thrown(() => runTool(busybox, ['cat'], [], { stdin: { file: '/etc' } }));
    expect(e.field).toBe('options.stdin.file');
    expect(e.message).toMatch(/regular file or a FIFO/);
    expect(thrown(() => runTool(busybox, ['cat'], [], { stdin: { file: '/dev/zero' } })).field).toBe('options.stdin.file');
    expect(thrown(() => runTool(busybox, ['cat'], [], { stdin: { file: join(dir, 'none') } })).message).toMatch(/does not exist/);
    expect(prepareRun(busybox, ['cat'], [], { stdin: { file: join(dir, 'in.txt') } }).options.stdin).toEqual({ file: join(dir, 'in.txt') });
  });

  it.each(['BusyBox:Latest', 'foo@@bar', 'a b', 'UPPER/x', 'x:', ':tag', 'x@sha256:abc'])(
    'rejects the image reference %j before the daemon sees it',
    (image) => {
      const e = thrown(() => runTool(image, ['true']));
      expect(e.field).toBe('image');
      expect(e.message).toMatch(/image reference/);
    },
  );
});

describe('every public entry point rejects unknown keys and wrong types', () => {
  it('connect', () => {
    const typo = thrown(() => connect({ hots: 'tcp://127.0.0.1:2375' } as never));
    expect(typo.field).toBe('options.hots');
    expect(typo.message).toMatch(/"hots" is not a known option; valid options are host, socketPath, ssh/);
    expect(thrown(() => connect({ host: 2375 } as never)).field).toBe('options.host');
    expect(thrown(() => connect({ socketPath: 'docker.sock' })).field).toBe('options.socketPath');
    expect(thrown(() => connect({ host: 'http2://127.0.0.1' })).message).toMatch(/unix:\/\/.*tcp:\/\/.*ssh:\/\//);
    expect(thrown(() => connect({ ssh: { password: 'x' } } as never)).field).toBe('options.ssh.password');
    expect(thrown(() => connect('tcp://127.0.0.1:2375' as never)).field).toBe('options');
    expect(connect({ host: 'unix:///var/run/docker.sock' }).endpoint).toBe('unix:///var/run/docker.sock');
    expect(thrown(() => new DockerEngine({ hots: 'tcp://127.0.0.1:2375' } as never)).field).toBe('options.hots');
  });

  it('connect names a DOCKER_HOST no daemon can be reached at', () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = 'npipe:////./pipe/docker_engine';
    try {
      expect(thrown(() => connect()).field).toBe('DOCKER_HOST');
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });

  it('doctor and cleanupOrphans', () => {
    expect(thrown(() => doctor({ engin: connect() } as never)).field).toBe('options.engin');
    expect(thrown(() => doctor({ engine: 'unix:///var/run/docker.sock' } as never)).field).toBe('options.engine');
    expect(thrown(() => cleanupOrphans({ dryRun: true } as never)).message).toMatch(/"dryRun" is not a known option; valid options are engine/);
    expect(thrown(() => cleanupOrphans(null as never)).field).toBe('options');
  });

  it('resolveHostPath: unknown keys and a path that is not an absolute string, before any daemon call', () => {
    const typo = thrown(() => resolveHostPath('/tmp', { writable: true } as never));
    expect(typo.field).toBe('options.writable');
    expect(typo.message).toMatch(/"writable" is not a known option; valid options are write, engine/);
    expect(thrown(() => resolveHostPath(42 as never)).field).toBe('path');
    expect(thrown(() => resolveHostPath(undefined as never)).message).toMatch(/^path: undefined is not valid: must be an absolute path/);
    expect(thrown(() => resolveHostPath('data/reads.fq')).field).toBe('path');
    expect(thrown(() => resolveHostPath('/tmp', { write: 'yes' } as never)).field).toBe('options.write');
    expect(thrown(() => resolveHostPath('/tmp', { engine: 'unix:///var/run/docker.sock' } as never)).field).toBe('options.engine');
  });

  it('runMany tasks', () => {
    expect(thrown(() => runMany([{ image: 'busybox', args: ['true'], option: {} } as never])).field).toBe('tasks[0].option');
    expect(thrown(() => runMany([{ image: 'busybox', args: ['true'], options: 'fast' } as never])).field).toBe('tasks[0].options');
    expect(thrown(() => runMany([{ image: 'busybox', args: ['true'], options: { cpu: 2 } } as never])).field).toBe('tasks[0].options.cpu');
    expect(thrown(() => runMany([['busybox', 'true'] as never])).field).toBe('tasks[0]');
    expect(thrown(() => runMany([{ image: 'Busybox', args: ['true'] }])).field).toBe('tasks[0].image');
  });

  it("recipes: run options are checked, under the recipe's name", async () => {
    const error = await samtools.flagstat({ input: '/etc/hostname', run: { cpu: 2 } as never }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe('samtools.flagstat.run.cpu');
    expect((error as InvalidInputError).message).toMatch(/valid options are .*cpus/);
    const stdout = await samtools.flagstat({ input: '/etc/hostname', run: { stdout: 'ignore' } as never }).catch((e: unknown) => e);
    expect((stdout as InvalidInputError).field).toBe('samtools.flagstat.run.stdout');
    // Values too, by runTool's own schema, before anything starts.
    const cpus = await samtools.flagstat({ input: '/etc/hostname', run: { cpus: -1 } }).catch((e: unknown) => e);
    expect(cpus).toBeInstanceOf(InvalidInputError);
    expect((cpus as InvalidInputError).field).toBe('samtools.flagstat.run.cpus');
    expect((cpus as InvalidInputError).message).toMatch(/number of cores from 0.01/);
    const memory = await samtools.flagstat({ input: '/etc/hostname', run: { memory: '1x' } }).catch((e: unknown) => e);
    expect((memory as InvalidInputError).field).toBe('samtools.flagstat.run.memory');
  });
});
