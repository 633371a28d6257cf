import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@tooldock/core';
import { testImages } from './test-images.js';

/**
 * Engine tests need a real daemon and the local test images. There is no skip: without them
 * the run fails, with the command that sets them up.
 */
export default async function setup(): Promise<(() => void) | undefined> {
  const engine = connect();
  const docker = engine.docker;
  try {
    await engine.ping();
  } catch (error) {
    throw new Error(
      `${(error as Error).message}\n` +
        'Run `npm test` (it calls scripts/setup.sh, which starts one) instead of vitest directly.',
    );
  }
  const images = testImages();
  for (const tag of Object.values(images)) {
    await docker.getImage(tag).inspect().catch(() => {
      throw new Error(`test image ${tag} is missing on the daemon: run bash scripts/images.sh`);
    });
  }
  // Every run leaves a record under TOOLDOCK_HOME: the tests' go to a temp home, not ~/.cache.
  if (process.env.TOOLDOCK_HOME) return undefined;
  const home = mkdtempSync(join(tmpdir(), 'tooldock-test-home-'));
  process.env.TOOLDOCK_HOME = home;
  return () => rmSync(home, { recursive: true, force: true });
}
