import type { EngineKind } from '../engine-kind.js';
import { refuseDaemonSocketMounts } from './daemon-socket.js';
import { dockerDoctor } from './docker-doctor.js';
import { sweepDocker } from './docker-sweep.js';
import { DockerBackend } from './engine/docker-backend.js';
import { connectDocker, type DockerEngine } from './engine/docker-engine.js';
import { looksLikeEngine } from '../engine.js';
import type { ConnectOptions } from './engine/engine-target.js';
import { imageIdentity } from './image-identity.js';
import { openDockerSession } from './session/open-session.js';

/** Docker and Podman daemons: the default runtime, with every capability (engine-kind.ts). */
export const dockerKind: EngineKind<DockerEngine> = {
  name: 'docker',
  connect: (options) => connectDocker(options as ConnectOptions),
  // By brand, not instanceof: two copies of the package (ESM and CJS in one notebook) must agree.
  owns: (value): value is DockerEngine => looksLikeEngine(value) && value.kind === 'docker',
  backend: (engine) => new DockerBackend(engine),
  // A mount that *is* the daemon's socket is refused, naming the mount.
  checkMounts: refuseDaemonSocketMounts,
  identifyImage: imageIdentity,
  sessions: { open: openDockerSession },
  // One task per CPU of the DAEMON's machine: that is where the tools run (a notebook container
  // limited to 2 CPUs may drive a 64-core host, and vice versa).
  async defaultConcurrency(engine) {
    const cpus = Number((await engine.info()).NCPU);
    return Number.isInteger(cpus) && cpus > 0 ? cpus : 1;
  },
  startedMeansRunning: true,
  doctor: (engine) => dockerDoctor(engine),
  sweep: sweepDocker,
};
