import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, copyModeReason, runTool } from '@tooldock/core';
import { PrivateDaemon } from '../../../../../test-support/private-daemon.js';
import { tempDir } from '../../../../../test-support/temp-dir.js';
import { testImages } from '../../../../../test-support/test-images.js';

const { busybox } = testImages();
const port = 23750 + Math.floor(Math.random() * 200);

describe('a daemon reached over tcp:// (loopback) shares no files with us', () => {
  const daemon = new PrivateDaemon([`tcp://127.0.0.1:${port}`]);

  beforeAll(async () => {
    await daemon.start();
    daemon.loadImage(busybox);
  }, 120_000);

  afterAll(async () => {
    await daemon.destroy();
  }, 120_000);

  it('copies mounts in and out instead of binding the daemon\'s own paths', async () => {
    const engine = connect({ host: `tcp://127.0.0.1:${port}` });
    const piped = await runTool(busybox, ['tr', 'a-z', 'A-Z'], [], { engine, stdin: 'data travels on stdin\n' });
    expect(piped.stdout).toBe('DATA TRAVELS ON STDIN\n');
    expect(await copyModeReason(engine)).toMatch(/the daemon at tcp:\/\/127\.0\.0\.1:\d+ is remote/);

    const data = tempDir('remote');
    writeFileSync(join(data, 'in.txt'), 'from this machine\n');
    const result = await runTool(busybox, ['sh', '-c', `tr a-z A-Z < ${data}/in.txt > ${data}/out.txt`], [`${data}:rw`], { engine });
    expect(result.mounts[0]?.source).toEqual({ type: 'copy' });
    expect(readFileSync(join(data, 'out.txt'), 'utf8')).toBe('FROM THIS MACHINE\n');
  });
});
