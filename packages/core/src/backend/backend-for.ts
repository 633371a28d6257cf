import { DockerBackend } from '../engine/docker-backend.js';
import { CharliecloudBackend } from '../backends/charliecloud/charliecloud-backend.js';
import { isCharliecloudEngine, isSlurmEngine, type Engine } from '../slurm/engine-kind.js';
import { SlurmBackend } from '../slurm/slurm-backend.js';
import type { ToolBackend } from './tool-backend.js';

const backends = new WeakMap<Engine, ToolBackend>();

/** The backend that runs tools for `engine` (one per engine): a daemon's, or a Slurm cluster's. */
export function backendFor(engine: Engine): ToolBackend {
  let backend = backends.get(engine);
  if (!backend) {
    backend = isSlurmEngine(engine) ? new SlurmBackend(engine) : isCharliecloudEngine(engine) ? new CharliecloudBackend(engine) : new DockerBackend(engine);
    backends.set(engine, backend);
  }
  return backend;
}
