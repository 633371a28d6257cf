import { DockerBackend } from '../engine/docker-backend.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import type { ToolBackend } from './tool-backend.js';

const backends = new WeakMap<DockerEngine, ToolBackend>();

/** The backend that runs tools for `engine` (one per engine). */
export function backendFor(engine: DockerEngine): ToolBackend {
  let backend = backends.get(engine);
  if (!backend) {
    backend = new DockerBackend(engine);
    backends.set(engine, backend);
  }
  return backend;
}
