import { execFileSync, execSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/**
 * Podman for the test cluster's nodes: its own storage and containers.conf (the machine's Podman
 * set-up is neither read nor changed), passed to the jobs through the environment sbatch exports.
 * On this kernel containers need `default_ulimits = []` (TEST-ENV.md). Removed after the file.
 */
export function usePodmanOnNodes(images: string[]): void {
  const dir = mkdtempSync(join(tmpdir(), 'tooldock-node-podman-'));
  writeFileSync(join(dir, 'containers.conf'), '[containers]\ndefault_ulimits = []\n');
  writeFileSync(join(dir, 'storage.conf'), `[storage]\ndriver = "overlay"\ngraphroot = "${dir}/root"\nrunroot = "${dir}/run"\n`);
  process.env.CONTAINERS_CONF = join(dir, 'containers.conf');
  process.env.CONTAINERS_STORAGE_CONF = join(dir, 'storage.conf');
  for (const image of images) execSync(`docker save ${image} | podman load -q`, { stdio: ['ignore', 'ignore', 'inherit'] });
  afterAll(() => {
    execFileSync('podman', ['system', 'reset', '--force'], { stdio: 'ignore' });
    delete process.env.CONTAINERS_CONF;
    delete process.env.CONTAINERS_STORAGE_CONF;
    rmSync(dir, { recursive: true, force: true });
  });
}
