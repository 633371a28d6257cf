import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

const source = (pkg: string, entry = 'index') => fileURLToPath(new URL(`./packages/${pkg}/src/${entry}.ts`, import.meta.url));
// Tests run against the TypeScript sources (one module instance, no build step needed).
// The subpath comes first: an alias also matches everything below its name, first entry wins.
const alias = {
  '@tooldock/core/advanced': source('core', 'advanced'),
  '@tooldock/core/cache': source('core', 'subpaths/cache'),
  '@tooldock/core/provenance': source('core', 'subpaths/provenance'),
  '@tooldock/core/images': source('core', 'subpaths/images'),
  '@tooldock/core/slurm': source('core', 'subpaths/slurm'),
  '@tooldock/core/docker': source('core', 'subpaths/docker'),
  '@tooldock/core': source('core'),
  '@tooldock/recipes': source('recipes'),
  '@tooldock/jupyter': source('jupyter-kernel-ext'),
  '#test-support': fileURLToPath(new URL('./test-support', import.meta.url)),
};

export default defineConfig({
  resolve: { alias },
  test: {
    // Engine tests talk to one daemon on a 2-core machine: a few files at a time.
    maxWorkers: 3,
    minWorkers: 1,
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['packages/*/test/unit/**/*.test.ts'],
          // A hang detector, not a speed check: unit files share 2 cores with the engine tests.
          testTimeout: 30_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'engine',
          // adversarial/: the threat model's cases (docs/security.md), against the real engine.
          include: ['packages/*/test/engine/**/*.test.ts', 'packages/*/test/adversarial/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'packages/*/test/engine/slurm/**', 'packages/*/test/engine/charliecloud/**'],
          globalSetup: ['test-support/engine-global-setup.ts'],
          setupFiles: ['test-support/no-leftover-containers.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve: { alias },
        test: {
          // The daemonless engine (docs/clusters.md): ch-run, its image store converted once per run.
          name: 'charliecloud',
          include: ['packages/*/test/engine/charliecloud/**/*.test.ts'],
          globalSetup: ['test-support/engine-global-setup.ts', 'test-support/charliecloud-store.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve: { alias },
        test: {
          // The cluster engine: one real two-node Slurm cluster for all its files (docs/clusters.md).
          name: 'slurm',
          include: ['packages/*/test/engine/slurm/**/*.test.ts'],
          globalSetup: ['test-support/engine-global-setup.ts', 'test-support/charliecloud-store.ts', 'test-support/slurm-cluster.ts'],
          setupFiles: ['test-support/no-leftover-containers.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve: { alias },
        test: {
          // Rootless Docker and rootless Podman, started as an unprivileged user (scripts/rootless.sh):
          // the file starts them and runs itself again as that user (docs/topologies.md).
          name: 'rootless',
          include: ['packages/*/test/rootless/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve: { alias },
        test: {
          // Notebooks in a real front end: Debian's Jupyter Notebook in headless Chromium
          // (scripts/browser-setup.sh; docs/notebooks.md).
          name: 'browser',
          include: ['packages/*/test/browser/**/*.test.ts'],
          globalSetup: ['test-support/engine-global-setup.ts'],
          setupFiles: ['test-support/no-leftover-containers.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
