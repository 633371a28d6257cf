import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { connect, doctor, runTool } from '@tooldock/core';
import { DockerEngine } from '@tooldock/core/docker';
import { copyModeReason } from '@tooldock/core/advanced';
import { usePrivateDaemon } from '#test-support/private-daemon.js';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();
const port = 23750 + Math.floor(Math.random() * 200);

describe('a daemon reached over tcp:// (loopback) shares no files with us', () => {
  usePrivateDaemon([busybox], [`tcp://127.0.0.1:${port}`]);

  it("copies mounts in and out instead of binding the daemon's own paths", async () => {
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

  it('is reached through a docker context made by the docker CLI itself, as the CLI resolves it', async () => {
    const config = tempDir('docker-config');
    const cli = (...args: string[]) =>
      execFileSync('docker', args, { env: { ...process.env, DOCKER_CONFIG: config, DOCKER_HOST: '' }, encoding: 'utf8' }).trim();
    cli('context', 'create', 'loopback', '--docker', `host=tcp://127.0.0.1:${port}`);
    cli('context', 'use', 'loopback');
    const saved = { ...process.env };
    try {
      delete process.env.DOCKER_HOST;
      delete process.env.DOCKER_CONTEXT;
      process.env.DOCKER_CONFIG = config;
      const engine = new DockerEngine();
      expect(engine.target).toMatchObject({ source: 'config.json', context: 'loopback' });
      expect(engine.endpoint).toBe(cli('context', 'inspect', '--format', '{{.Endpoints.docker.Host}}'));
      expect((await runTool(busybox, ['echo', 'via a context'], [], { engine })).stdout).toBe('via a context\n');
      expect((await doctor({ engine })).text).toContain(`tcp://127.0.0.1:${port} (chosen by config.json "loopback")`);
    } finally {
      process.env = saved;
    }
  });
});
