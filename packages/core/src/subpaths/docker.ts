// `@tooldock/core/docker`: Docker-specific tools — the daemon client, docker contexts, paths
// from inside a notebook container (docs/dood.md), this process's container labels.
export { DockerEngine, type EngineVersion } from '../backends/docker/engine/docker-engine.js';
export type { ConnectOptions, EngineChoice, EngineTarget } from '../backends/docker/engine/engine-target.js';
export type { SshOptions } from '../backends/docker/engine/ssh-dial-agent.js';
export { currentDockerContext, type DockerContext } from '../backends/docker/engine/docker-context.js';
export { resolveHostPath } from '../backends/docker/dood/resolve-host-path.js';
export type { DaemonSource } from '../backends/docker/dood/translate-path.js';
export { PathNotShareableError } from '../backends/docker/dood/path-not-shareable-error.js';
export { session } from '../backends/docker/process-session.js';
