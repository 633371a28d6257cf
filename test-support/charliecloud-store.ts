import { chmodSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { connect } from '@tooldock/core';
import { testImages } from './test-images.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The image store every Charliecloud test shares (busybox and bio converted once). */
    charliecloudStore: string;
  }
}

/** The unprivileged user scripts/charliecloud.sh creates, for tests of a non-root caller. */
export const UNPRIVILEGED_USER = 'tooldock-ch';

/**
 * Global setup of the Charliecloud tests: ch-run must be installed (scripts/charliecloud.sh; no
 * skip), and the test images are converted into one store once — the bio image takes ~50 s — kept
 * across runs under the temp dir (keyed by image id: a rebuilt image is converted again) and
 * readable by the unprivileged test user.
 */
export default async function setup(project: TestProject): Promise<void> {
  try {
    execFileSync('ch-run', ['--version'], { env: { ...process.env, USER: process.env.USER || 'root' }, stdio: 'pipe' });
  } catch (error) {
    throw new Error(`ch-run is not installed (${(error as Error).message.split('\n')[0]}): run bash scripts/charliecloud.sh (npm test does)`);
  }
  const dir = process.env.TOOLDOCK_TEST_CH_STORE ?? join(tmpdir(), 'tooldock-charliecloud-test-store');
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chmodSync(dir, 0o755);
  const engine = connect({ runtime: 'charliecloud', images: dir });
  const { busybox, bio } = testImages();
  for (const image of [busybox, bio]) {
    // A rebuilt image keeps its tag: the stored copy of an older build goes, so the new one is converted.
    const current = execFileSync('docker', ['image', 'inspect', '--format', '{{.Id}}', image], { encoding: 'utf8' }).trim();
    await engine.images.prune((stored) => !stored.names.includes(image) || stored.imageId === current);
    await engine.images.ensure(image, { pull: 'missing', signal: AbortSignal.timeout(600_000), emit: () => {} });
  }
  // The unprivileged user reads the images (never writes them: the store is root's).
  execFileSync('chmod', ['-R', 'a+rX', dir]);
  project.provide('charliecloudStore', dir);
}
