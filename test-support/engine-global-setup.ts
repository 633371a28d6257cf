import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@tooldock/core';
import { checkEngineHealth } from './engine-health.js';
import { testImages } from './test-images.js';

/**
 * Engine tests need a real daemon and the local test images. There is no skip: without them
 * the run fails, with the command that sets them up.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const engine = connect();
  const docker = engine.docker;
  try {
    await engine.ping();
  } catch (error) {
    throw new Error(`${(error as Error).message}\n` + 'Run `npm test` (it calls scripts/setup.sh, which starts one) instead of vitest directly.');
  }
  const images = testImages();
  for (const tag of Object.values(images)) {
    await docker
      .getImage(tag)
      .inspect()
      .catch(() => {
        throw new Error(`test image ${tag} is missing on the daemon: run bash scripts/images.sh`);
      });
  }
  // Every run leaves a record under TOOLDOCK_HOME: the tests' go to a temp home, not ~/.cache.
  const home = process.env.TOOLDOCK_HOME ? undefined : mkdtempSync(join(tmpdir(), 'tooldock-test-home-'));
  if (home) process.env.TOOLDOCK_HOME = home;
  // A wedged engine fails here, once, not as a timeout in every test (engine-health.ts).
  await checkEngineHealth(images.busybox, 'before');
  return async () => {
    try {
      await checkEngineHealth(images.busybox, 'after');
    } finally {
      if (home) rmSync(home, { recursive: true, force: true });
    }
  };
}
