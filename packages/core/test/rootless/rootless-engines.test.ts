import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connect, doctor, isToolError, runTool, type ToolError } from '@tooldock/core';
import { session } from '@tooldock/core/docker';
import { RootlessEngine, ROOTLESS_USER, rootlessUser } from '#test-support/rootless-engines.js';
import { tempDir } from '#test-support/temp-dir.js';
import { vitestAs } from '#test-support/vitest-as.js';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();
const asRoot = process.getuid?.() === 0;
/** Set by the root half for the run as the user: `docker=unix://…,podman=unix://…`. */
const hosts = Object.fromEntries(
  (process.env.TOOLDOCK_ROOTLESS_HOSTS ?? '')
    .split(',')
    .filter(Boolean)
    .map((pair) => pair.split('=')),
);

// Issue 22: rootless Docker and rootless Podman started by the test set-up as a non-root user
// (scripts/rootless.sh prepares the user). As root, this file starts both engines as that user
// and runs itself again as that user against them; as that user, the cases below are the run.
// Each half is registered only for the caller it is about (no skipped entries in either run).
if (asRoot)
  describe('rootless engines, started as an unprivileged user', () => {
    const engines = [new RootlessEngine('docker'), new RootlessEngine('podman')];
    afterAll(() => engines.forEach((engine) => engine.stop()));

    it('pass the essentials when that user calls them (bind mounts, ownership, stdin/stdout, cancel, no leftovers)', async () => {
      const user = rootlessUser();
      await Promise.all(engines.map((engine) => engine.start(busybox)));
      const { code, output } = await vitestAs(
        { name: ROOTLESS_USER, ...user },
        ['--project', 'rootless', 'packages/core/test/rootless/rootless-engines.test.ts'],
        {
          XDG_RUNTIME_DIR: user.runtimeDir,
          DOCKER_HOST: engines[0]!.host,
          TOOLDOCK_ROOTLESS_HOSTS: engines.map((e) => `${e.kind}=${e.host}`).join(','),
        },
      );
      expect(code, output.slice(-4000)).toBe(0);
      // Both engines' cases ran (a describe that found no host would run nothing).
      expect(output, output.slice(-4000)).toMatch(/Tests {2}10 passed/);
    }, 300_000);
  });

if (!asRoot)
  describe.each(['docker', 'podman'])('rootless %s, called by the user it runs as', (kind) => {
    const host = hosts[kind];
    const engine = () => {
      if (!host) throw new Error(`TOOLDOCK_ROOTLESS_HOSTS names no ${kind} engine: run this file as root (it starts them)`);
      return connect({ host });
    };
    const me = { uid: process.getuid!(), gid: process.getgid!() };
    const leftovers = async () =>
      (await engine().docker.listContainers({ all: true, filters: { label: [`tooldock.session=${session.id}`] } })).length;

    it('is seen as rootless (the mapping decides who the tool runs as)', async () => {
      const report = await doctor({ engine: engine() });
      expect(report.engine?.userMapping).toBe(kind === 'podman' ? 'podman-rootless' : 'rootless');
    });

    it('reads a bind-mounted input and writes outputs the caller owns', async () => {
      const dir = tempDir(`rootless-${kind}`);
      mkdirSync(join(dir, 'out'));
      writeFileSync(join(dir, 'in.txt'), 'reads\n');
      await runTool(
        busybox,
        ['sh', '-c', 'cat /data/in.txt > /data/out/copy.txt; mkdir /data/out/sub; echo x > /data/out/sub/x'],
        [{ path: dir, target: '/data', write: true }],
        { engine: engine() },
      );
      expect(readFileSync(join(dir, 'out', 'copy.txt'), 'utf8')).toBe('reads\n');
      // Rootless Docker runs the tool as 0:0 (the caller on the host); rootless Podman with keep-id.
      for (const path of ['out/copy.txt', 'out/sub', 'out/sub/x']) expect(statSync(join(dir, path)), path).toMatchObject(me);
    });

    it('passes stdin through to stdout', async () => {
      const result = await runTool(busybox, ['sh', '-c', 'tr a-z A-Z; echo err >&2'], [], { engine: engine(), stdin: 'through the pipe\n' });
      expect(result.stdout).toBe('THROUGH THE PIPE\n');
      expect(result.stderr).toBe('err\n');
    });

    it('cancels a running tool: the run rejects as canceled and its container is removed', async () => {
      const controller = new AbortController();
      const run = runTool(busybox, ['sleep', '300'], [], {
        engine: engine(),
        signal: controller.signal,
        onEvent: (e) => e.type === 'container:started' && controller.abort(),
      });
      const error = await run.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isToolError(error) && (error as ToolError).canceled).toBe(true);
      expect(await leftovers()).toBe(0);
    });

    it('leaves no container of this session behind', async () => {
      expect(await leftovers()).toBe(0);
    });
  });
