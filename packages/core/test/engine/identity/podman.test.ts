import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool } from '@tooldock/core';
import { type DockerEngine } from '@tooldock/core/docker';
import { PodmanService } from '#test-support/podman-service.js';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();

// Podman's Docker-compatible API takes the same archive calls on a created container.
describe('a user name for the mapped uid (Podman)', () => {
  const podman = new PodmanService();
  let engine: DockerEngine;

  beforeAll(async () => {
    await podman.start();
    podman.loadImage(busybox);
    engine = podman.engine();
  }, 180_000);
  afterAll(() => podman.stop(), 120_000);

  it("whoami and id answer for an explicit uid:gid; the image's own user stays as it was", async () => {
    const mapped = await runTool(busybox, ['sh', '-c', 'whoami; id; grep -c tooldock /etc/passwd'], [], { engine, user: '1000:1000' });
    expect(mapped.stdout).toBe('tooldock\nuid=1000(tooldock) gid=1000(tooldock) groups=1000(tooldock)\n1\n');
    const image = await runTool(busybox, ['sh', '-c', 'whoami; grep -c tooldock /etc/passwd'], [], { engine, user: 'image', reject: false });
    expect(image.stdout).toBe('root\n0\n');
  });
});
