import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connect, runTool } from '@tooldock/core';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();
const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();
/** An image whose upper layer deletes, adds and replaces: Docker writes whiteouts for it. */
const layered = `tooldock-test/layered:p${process.pid}`;
const builder = `tooldock-layered-${process.pid}`;
// /etc/hostname: a mount point Docker puts into every container, so into what ch-convert exports from one.
const LISTING = "find /bin /etc /opt -xdev ! -path /etc/hostname -printf '%p %y %m %s %l\\n' | sort";

describe('the image store from a docker save archive (no daemon needed to load it)', () => {
  afterAll(() => {
    execFileSync('docker', ['rm', '-f', builder], { stdio: 'ignore' });
    execFileSync('docker', ['rmi', '-f', layered], { stdio: 'ignore' });
  });

  it('loads a layered image with whiteouts; runs with no daemon; same tree as converting it from the daemon', async () => {
    // Three layers: the image's own, one that adds, one that deletes (file and directory whiteouts) and replaces.
    const commit = (from: string, script: string) => {
      docker('run', '--name', builder, '--network', 'none', from, 'sh', '-c', script);
      docker('commit', builder, layered);
      docker('rm', builder);
    };
    commit(busybox, 'mkdir -p /opt/gone/deep /opt/x && echo old > /opt/gone/deep/f && echo first > /etc/motd');
    commit(layered, 'rm /bin/vi && rm -r /opt/gone && echo layered > /opt/x/f && chmod 750 /opt/x && ln -s x /opt/y && echo changed > /etc/motd');
    const archive = join(tempDir('archive-store'), 'layered.tar');
    docker('save', '-o', archive, layered);
    const imageId = docker('image', 'inspect', '--format', '{{.Id}}', layered);

    // Loading and running need no daemon: the docker CLI would find none.
    const daemon = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = 'unix:///nonexistent/docker.sock';
    const fromArchive = connect({ runtime: 'charliecloud', images: tempDir('store-archive') });
    const events: string[] = [];
    const loaded = await fromArchive.images.load(archive, { emit: (event) => events.push(event.type) });
    expect(loaded.imageId).toBe(imageId);
    expect(loaded.names).toEqual([layered]);
    expect(loaded.source).toBe(`archive:${archive}`);
    expect(events).toContain('image:converted');
    const again = await fromArchive.images.load(archive);
    expect(again.dir).toBe(loaded.dir);

    const run = await runTool(
      layered,
      ['sh', '-c', 'cat /opt/x/f; test -e /bin/vi || test -e /opt/gone && echo present || echo gone; cat /etc/motd'],
      [],
      { engine: fromArchive }, // pull: 'missing', the default: the store has it by name
    );
    expect(run.stdout).toBe('layered\ngone\nchanged\n');
    expect(run.imageId).toBe(imageId);
    if (daemon === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = daemon;

    const fromDaemon = connect({ runtime: 'charliecloud', images: tempDir('store-daemon') });
    // An empty store: the image is converted from the daemon.
    await fromDaemon.images.ensure(layered, { pull: 'missing', signal: AbortSignal.timeout(120_000), emit: () => {} });
    const listing = async (engine: typeof fromArchive) => (await runTool(layered, ['sh', '-c', LISTING], [], { engine, pull: 'never' })).stdout;
    expect(await listing(fromArchive)).toBe(await listing(fromDaemon));
  }, 180_000);
});
