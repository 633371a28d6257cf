import type { DockerEngine } from '../engine/docker-engine.js';
import type { CharliecloudEngine } from '../backends/charliecloud/charliecloud-engine.js';
import type { SlurmEngine } from './slurm-engine.js';

/**
 * Any engine a run accepts: a Docker (or Podman) daemon from `connect()`, a Slurm cluster
 * from `connect({ slurm })`, or Charliecloud from `connect({ runtime: 'charliecloud' })`.
 *
 * @example
 * ```ts
 * const engine: Engine = process.env.SLURM_CONF ? connect({ slurm: { runtime: 'docker' } }) : connect();
 * ```
 */
export type Engine = DockerEngine | SlurmEngine | CharliecloudEngine;

export { isCharliecloudEngine } from '../backends/charliecloud/charliecloud-engine.js';

/** True for an engine from `connect({ slurm })` (imports no engine: shared files use this). */
export function isSlurmEngine(value: unknown): value is SlurmEngine {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'slurm';
}
