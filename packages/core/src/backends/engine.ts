import type { DockerEngine } from './docker/engine/docker-engine.js';
import type { SlurmEngine } from './slurm/slurm-engine.js';
import type { CharliecloudEngine } from './charliecloud/charliecloud-engine.js';

/**
 * Any engine a run accepts: a Docker (or Podman) daemon from `connect()`, a Slurm cluster
 * from `connect({ slurm })`, or Charliecloud from `connect({ runtime: 'charliecloud' })`. A new runtime adds its engine class here and its kind in
 * registry.ts (see engine-kind.ts).
 *
 * @example
 * ```ts
 * const engine: Engine = process.env.SLURM_CONF ? connect({ slurm: { runtime: 'docker' } }) : connect();
 * ```
 */
export type Engine = DockerEngine | SlurmEngine | CharliecloudEngine;

/**
 * The shape every engine has (its kind's name and an endpoint), for validation that must not
 * import the engines themselves; which kind owns it is backends/registry.ts's `kindOf`.
 */
export function looksLikeEngine(value: unknown): value is Engine {
  if (typeof value !== 'object' || value === null) return false;
  const { kind, endpoint } = value as { kind?: unknown; endpoint?: unknown };
  return typeof kind === 'string' && typeof endpoint === 'string';
}
