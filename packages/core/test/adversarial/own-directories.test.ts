import { chmodSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runTool } from '@tooldock/core';
import { exportProvenance } from '@tooldock/core/provenance';
import { ensureOwnDirectory } from '../../src/util/own-directory.js';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';
import { rejection } from '#test-support/tool-rejection.js';

const { busybox } = testImages();
const savedHome = process.env.TOOLDOCK_HOME;
afterEach(() => {
  if (savedHome === undefined) delete process.env.TOOLDOCK_HOME;
  else process.env.TOOLDOCK_HOME = savedHome;
});

// Issue 23, item 5: Node's recursive mkdir loops on procfs; a cache under /proc never settled,
// even with timeoutMs, and TOOLDOCK_HOME under /proc added seconds to every run, silently.
describe("tooldock's own directories: bounded, non-recursive, private", () => {
  it('cache: { dir: "/proc/..." } fails with a ToolError naming the directory, within the timeout', async () => {
    const error = await rejection(runTool(busybox, ['true'], [], { cache: { dir: '/proc/tooldock-cache' }, timeoutMs: 5000 }));
    expect(error.message).toMatch(/could not create the directory \/proc\/tooldock-cache/);
    expect(error.timedOut).toBe(false);
  });

  it('creating a directory under /proc fails at once; a file in the way is named', async () => {
    await expect(ensureOwnDirectory('/proc/x/y/z')).rejects.toThrow(/could not create the directory \/proc\/x/);
    const file = join(tempDir('own'), 'file');
    writeFileSync(file, '');
    await expect(ensureOwnDirectory(join(file, 'sub'))).rejects.toThrow(/exists and is not a directory/);
  });

  it('TOOLDOCK_HOME under /proc: runs go on, with one warning for all of them', async () => {
    process.env.TOOLDOCK_HOME = '/proc/tooldock-home';
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      for (let i = 0; i < 3; i++) expect((await runTool(busybox, ['echo', String(i)])).stdout).toBe(`${i}\n`);
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.includes('/proc/tooldock-home'))).toHaveLength(1);
  });

  it('records are private (0700 directory, 0600 journal); exportProvenance keeps a 0600 file 0600', async () => {
    const home = tempDir('home');
    process.env.TOOLDOCK_HOME = join(home, 'tooldock');
    const data = tempDir('data');
    const secret = join(data, 'private.txt');
    writeFileSync(secret, 'private\n');
    chmodSync(secret, 0o600);
    const result = await runTool(busybox, ['cat', secret], [secret]);
    expect(result.stdout).toBe('private\n');
    await new Promise((r) => setTimeout(r, 200));
    const records = join(home, 'tooldock', 'records');
    expect(statSync(join(home, 'tooldock')).mode & 0o777).toBe(0o700);
    expect(statSync(records).mode & 0o777).toBe(0o700);
    for (const name of readdirSync(records)) expect(statSync(join(records, name)).mode & 0o777).toBe(0o600);
    const crate = join(tempDir('crate'), 'out');
    await exportProvenance(crate, { includeData: true });
    expect(statSync(join(crate, 'data', secret)).mode & 0o777).toBe(0o600);
  });
});
