import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';
import { connect, InvalidInputError, runTool, type MountSpec, type RunOptions } from '@tooldock/core';
import { session } from '@tooldock/core/docker';

// Threat model, "the caller": typos and bad values get one clear InvalidInputError, thrown by the
// call itself, before any container exists. Each case asks for a long-running tool, so a run that
// did start anyway would still be there when the session's containers are listed.
const { busybox } = testImages();
const dir = tempDir('careless');
mkdirSync(join(dir, 'out-dir'));

async function sessionContainers(): Promise<string[]> {
  const list = await connect().docker.listContainers({ all: true, filters: { label: [`tooldock.session=${session.id}`] } });
  return list.map((c) => c.Id);
}

async function rejectedUpfront(call: () => unknown, field: string | RegExp): Promise<InvalidInputError> {
  let thrown: unknown;
  try {
    const run = call() as PromiseLike<unknown> | undefined;
    // Not thrown synchronously: stop whatever started, then fail below.
    await Promise.resolve(run).catch(() => {});
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(InvalidInputError);
  expect((thrown as InvalidInputError).field).toMatch(field);
  await sleep(300);
  expect(await sessionContainers()).toEqual([]);
  return thrown as InvalidInputError;
}

const sleeping =
  (image: string, mounts: MountSpec[] = [], options: RunOptions = {}) =>
  () =>
    runTool(image, ['sleep', '30'], mounts, { timeoutMs: 60_000, ...options });

describe('a careless caller, against the real engine', () => {
  it.each(['BusyBox:Latest', 'foo@@bar', 'UPPER/x', 'x:', `${busybox}:`])('image %j is refused before the daemon is asked', async (image) => {
    const error = await rejectedUpfront(sleeping(image), /^image$/);
    expect(error.message).toMatch(/expected an image reference/);
  });

  it.each([['/proc'], ['/sys'], ['/dev'], ['/dev/shm'], ['/']])('a mount onto %s is refused, suggesting a target', async (target) => {
    const error = await rejectedUpfront(sleeping(busybox, [{ path: dir, target }]), 'mounts[0].target');
    expect(error.message).toMatch(/target: "\/host/);
  });

  it('mounting / at its own path is refused', async () => {
    await rejectedUpfront(sleeping(busybox, ['/']), 'mounts[0]');
  });

  it('an unknown mount mode is named as such', async () => {
    const error = await rejectedUpfront(sleeping(busybox, [`${dir}:rw:z`]), 'mounts[0]');
    expect(error.message).toMatch(/":z" is an unknown mode; use ":ro".*":rw"/);
  });

  it.each([
    ['memory', { memory: 'abc' }, 'options.memory'],
    ['env name with "="', { env: { 'A=B': '1' } }, 'options.env["A=B"]'],
    ['env value with NUL', { env: { A: 'x\0y' } }, 'options.env.A'],
    ['stdout into a directory', { stdout: { file: join(dir, 'out-dir') } }, 'options.stdout.file'],
    ['stdin from a directory', { stdin: { file: '/etc' } }, 'options.stdin.file'],
    ['timeout of Infinity', { timeoutMs: Infinity }, 'options.timeoutMs'],
  ] as Array<[string, RunOptions, string]>)('%s is refused', async (_, options, field) => {
    await rejectedUpfront(sleeping(busybox, [], options), field);
  });

  it('connect() with a misspelled option does not quietly use the default daemon', () => {
    expect(() => connect({ hots: 'tcp://127.0.0.1:1' } as never)).toThrow(/options\.hots: .*valid options are host, socketPath, ssh/);
  });

  it('still runs what the daemon knows: a tag, the image id, a path with ":" and env the tool can read', async () => {
    const colon = join(dir, 'run:1');
    mkdirSync(colon);
    writeFileSync(join(colon, 'in.txt'), 'through a colon\n');
    const byTag = await runTool(busybox, ['sh', '-c', 'cat "$1"/in.txt; echo "$GREETING"; echo made > "$1"/out.txt', 'sh', colon], [`${colon}:rw`], {
      env: { GREETING: 'two\nlines' },
    });
    expect(byTag.stdout).toBe('through a colon\ntwo\nlines\n');
    expect(readFileSync(join(colon, 'out.txt'), 'utf8')).toBe('made\n');
    const id = (await connect().docker.getImage(busybox).inspect()).Id;
    expect(id).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect((await runTool(id, ['echo', 'by id'])).stdout).toBe('by id\n');
    expect((await runTool(id.slice('sha256:'.length, 'sha256:'.length + 12), ['echo', 'by short id'])).stdout).toBe('by short id\n');
  });
});
