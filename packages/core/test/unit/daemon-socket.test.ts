import { linkSync, mkdirSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '#test-support/temp-dir.js';
import { toolUser } from '../../src/backends/docker/identity/caller-user.js';
import { refuseDaemonSocketMounts, refuseSocketMounts, socketMasks, type DaemonSocket } from '../../src/backends/docker/daemon-socket.js';
import type { DockerEngine } from '../../src/backends/docker/engine/docker-engine.js';
import { InvalidInputError } from '../../src/errors/invalid-input-error.js';
import type { ResolvedMount } from '../../src/api/run-result.js';

const bind = (target: string, path: string, localPath = target): ResolvedMount => ({
  target,
  source: { type: 'bind', path },
  readOnly: true,
  localPath,
});
const identity = { dev: 1, ino: 2, gid: 105 };
/** Nothing is the socket by identity unless a test says so. */
const nowhere = () => false;

describe('socketMasks', () => {
  // Same host: the daemon's path is ours (sources already real paths).
  const host: DaemonSocket = {
    ...identity,
    localPath: '/run/docker.sock',
    daemonSide: [{ type: 'bind', path: '/run/docker.sock' }],
    sameFilesystem: true,
  };

  it("masks the socket below every bind that holds it, at the tool's path for it", () => {
    expect(socketMasks(host, [bind('/run', '/run')], nowhere)).toEqual(['/run/docker.sock']);
    expect(socketMasks(host, [bind('/host', '/')], nowhere)).toEqual(['/host/run/docker.sock']);
    expect(socketMasks(host, [bind('/var/run', '/run')], nowhere)).toEqual(['/var/run/docker.sock']);
    expect(socketMasks(host, [bind('/data', '/data'), bind('/run2', '/run2')], nowhere)).toEqual([]);
  });

  it('leaves out a path the caller mounted something else at', () => {
    expect(socketMasks(host, [bind('/run', '/run'), bind('/run/docker.sock', '/data/empty')], nowhere)).toEqual([]);
  });

  it("DooD: compares the host path behind our socket with the host paths of the tool's binds", () => {
    const dood: DaemonSocket = {
      ...identity,
      localPath: '/run/docker.sock',
      daemonSide: [{ type: 'bind', path: '/var/run/docker.sock' }],
      sameFilesystem: false,
    };
    expect(socketMasks(dood, [bind('/hostvar', '/var', '/hostvar')], nowhere)).toEqual(['/hostvar/run/docker.sock']);
    // The host spells the directory differently (/run, not /var/run): found by identity in our view.
    const isIt = (path: string) => path === '/hostrun/docker.sock';
    expect(socketMasks(dood, [bind('/hostrun', '/run', '/hostrun')], isIt)).toEqual(['/hostrun/docker.sock']);
    expect(socketMasks(dood, [bind('/hostrun', '/run', '/hostrun')], nowhere)).toEqual([]);
  });

  it("finds a socket kept in a volume (a DinD sidecar's), and leaves copied mounts alone", () => {
    const inVolume: DaemonSocket = {
      ...identity,
      localPath: '/dind/docker.sock',
      daemonSide: [{ type: 'volume', name: 'dind-sock', subpath: 'docker.sock' }],
      sameFilesystem: false,
    };
    const whole: ResolvedMount = { target: '/sock', source: { type: 'volume', name: 'dind-sock' }, readOnly: true, localPath: '/dind' };
    const other: ResolvedMount = { target: '/work', source: { type: 'volume', name: 'work' }, readOnly: true, localPath: '/work' };
    const copied: ResolvedMount = { target: '/run', source: { type: 'copy' }, readOnly: true, localPath: '/run' };
    expect(socketMasks(inVolume, [whole, other, copied], nowhere)).toEqual(['/sock/docker.sock']);
  });
});

describe('refuseSocketMounts', () => {
  const host: DaemonSocket = {
    ...identity,
    localPath: '/run/docker.sock',
    daemonSide: [{ type: 'bind', path: '/run/docker.sock' }],
    sameFilesystem: true,
  };

  it('refuses a mount that is the socket, by path or by identity (a hard link, another name)', () => {
    expect(() => refuseSocketMounts(host, [bind('/var/run/docker.sock', '/run/docker.sock')], 'unix:///var/run/docker.sock', nowhere)).toThrow(
      InvalidInputError,
    );
    expect(() => refuseSocketMounts(host, [bind('/d', '/data/d.sock')], 'e', (p) => p === '/d')).toThrow(
      /daemon's socket \(e\).*exposeDaemonSocket: true/s,
    );
  });

  it('lets directories and other files through', () => {
    expect(() => refuseSocketMounts(host, [bind('/run', '/run'), bind('/data', '/data')], 'e', nowhere)).not.toThrow();
  });
});

describe("refuseDaemonSocketMounts (runTool's validation)", () => {
  it("refuses the engine's socket under its name, through a symlink or a hard link; not directories, nor with exposeDaemonSocket", async () => {
    const dir = tempDir('socket-unit');
    const socket = join(dir, 'engine.sock');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      symlinkSync(socket, join(dir, 'link'));
      linkSync(socket, join(dir, 'hard-link'));
      mkdirSync(join(dir, 'data'));
      const engine = { target: { socketPath: socket }, endpoint: `unix://${socket}` } as unknown as DockerEngine;
      const mounts = (path: string) => [
        { path: join(dir, 'data'), target: '/data', write: false },
        { path, target: '/x', write: false },
      ];
      for (const name of ['engine.sock', 'link', 'hard-link']) {
        expect(() => refuseDaemonSocketMounts(engine, mounts(join(dir, name)), { exposeDaemonSocket: false })).toThrow(
          expect.objectContaining({ field: 'mounts[1]', message: expect.stringMatching(/daemon's socket/) }),
        );
      }
      expect(() => refuseDaemonSocketMounts(engine, mounts(dir), { exposeDaemonSocket: false })).not.toThrow();
      expect(() => refuseDaemonSocketMounts(engine, mounts(socket), { exposeDaemonSocket: true })).not.toThrow();
    } finally {
      server.close();
    }
  });
});

describe("toolUser and the socket's group", () => {
  afterEach(() => vi.restoreAllMocks());

  it("never passes the socket's group on as a supplementary group", () => {
    vi.spyOn(process as { getgroups: () => number[] }, 'getgroups').mockReturnValue([process.getgid!(), 105, 20]);
    expect(toolUser('auto', 'plain', 105).groups).toEqual(['20']);
    expect(toolUser('auto', 'plain').groups).toEqual(['105', '20']); // exposeDaemonSocket: no gid given
  });
});
