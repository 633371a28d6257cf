import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, runTool, type ToolError } from '@tooldock/core';
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

  it('runs tools without mounts, and refuses mounts instead of binding the daemon\'s own paths', async () => {
    const engine = connect({ host: `tcp://127.0.0.1:${port}` });
    const piped = await runTool(busybox, ['tr', 'a-z', 'A-Z'], [], { engine, stdin: 'data travels on stdin\n' });
    expect(piped.stdout).toBe('DATA TRAVELS ON STDIN\n');
    const error = await runTool(busybox, ['ls', '/tmp'], [tempDir('remote')], { engine }).then(() => undefined, (e: unknown) => e as ToolError);
    expect(error?.message).toMatch(/cannot share \/tmp\/tooldock-remote-\w+ with tools: the daemon at tcp:\/\/127\.0\.0\.1:\d+ is remote/);
    expect(error?.containerId).toBeUndefined();
  });
});
