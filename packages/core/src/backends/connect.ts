import type { DockerEngine } from './docker/engine/docker-engine.js';
import type { ConnectOptions } from './docker/engine/engine-target.js';
import type { SlurmEngine } from './slurm/slurm-engine.js';
import type { SlurmOptions } from './slurm/slurm-options.js';
import type { CharliecloudEngine } from './charliecloud/charliecloud-engine.js';
import type { CharliecloudOptions } from './charliecloud/charliecloud-options.js';
import { connectKind } from './registry.js';

/**
 * An engine to run tools on. Without a runtime's key, a Docker (or Podman) daemon: resolution
 * order `options.host`/`options.socketPath` → `DOCKER_HOST` → the default sockets
 * (`/var/run/docker.sock`, rootless `$XDG_RUNTIME_DIR/docker.sock`); calls with the same target
 * return the same instance. `connect({ slurm })` returns a {@link SlurmEngine} instead: runs
 * become Slurm jobs (docs/clusters.md); `connect({ runtime: 'charliecloud' })` a
 * {@link CharliecloudEngine}: no daemon, tools run with `ch-run` as you. Each runtime's key is its kind's `connectOption`
 * (backends/registry.ts).
 *
 * @example
 * ```ts
 * const engine = connect();
 * await runTool('busybox', ['true'], [], { engine });
 * const cluster = connect({ slurm: { partition: 'main', runtime: 'docker' } });
 * ```
 */
export function connect(options: { slurm: SlurmOptions }): SlurmEngine;
export function connect(options: CharliecloudOptions): CharliecloudEngine;
export function connect(options?: ConnectOptions): DockerEngine;
export function connect(
  options: ConnectOptions | { slurm: SlurmOptions } | CharliecloudOptions = {},
): DockerEngine | SlurmEngine | CharliecloudEngine {
  return connectKind(options) as DockerEngine | SlurmEngine | CharliecloudEngine;
}
