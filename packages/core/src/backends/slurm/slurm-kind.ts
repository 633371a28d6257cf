import type { EngineKind } from '../engine-kind.js';
import { FanOutArrays } from './fan-out-arrays.js';
import { FanOutSteps } from './fan-out-steps.js';
import { HeldFanOut } from './held-fan-out.js';
import { heldBy } from './warm-allocation.js';
import { slurmConcurrency } from './slurm-capacity.js';
import { slurmDoctorReport } from './slurm-doctor.js';
import { SlurmBackend } from './slurm-backend.js';
import { connectSlurm, type SlurmEngine } from './slurm-engine.js';
import { looksLikeEngine } from '../engine.js';
import { checkSlurmMounts } from './slurm-mounts.js';
import type { SlurmOptions } from './slurm-options.js';
import { sweepSlurmJobs } from './slurm-sweep.js';
import { isStoreRuntime } from './node-runtime.js';
import { refuseOnTheNodes } from './node-refusals.js';

/** Slurm clusters (`connect({ slurm })`): each run a job whose node starts the container (docs/clusters.md). */
export const slurmKind: EngineKind<SlurmEngine> = {
  name: 'slurm',
  connectOption: 'slurm',
  connect: (options) => connectSlurm(options as SlurmOptions),
  owns: (value): value is SlurmEngine => looksLikeEngine(value) && value.kind === 'slurm',
  backend: (engine) => new SlurmBackend(engine),
  // A cluster's mounts are paths on its shared filesystem: checked here, its nodes' sockets and
  // the spool refused; then what the runtime on the nodes cannot give.
  checkMounts: (engine, mounts, options) => {
    checkSlurmMounts(mounts, options, engine.spool.existingRoot());
    refuseOnTheNodes(engine.runtime.name, mounts, options);
  },
  // A Slurm node resolves the image tag itself: there is no image id to key on here.
  // Charliecloud or Apptainer on the nodes: the shared store knows the id; Docker/Podman: only the node does.
  identifyImage: async (engine, image) => {
    if (!isStoreRuntime(engine.runtime.name))
      return { kind: 'unknowable', reason: 'a Slurm engine: the node resolves the image, so there is no image id to key on' };
    const stored = engine.images.find(image);
    return stored ? { kind: 'id', id: stored.imageId } : { kind: 'absent' };
  },
  sessions: { unsupported: 'warm sessions need a Docker engine: on a Slurm cluster every run is a job (docs/clusters.md)' },
  // Tool tasks run as job steps in one allocation (`fanOut: 'steps'`, the default) — the engine's
  // held one if it holds one —, or go out up front as job arrays throttled to `concurrency`.
  planFanOut: (engine, taskCount, concurrency) => {
    if (engine.options.fanOut === 'arrays') return new FanOutArrays(engine, concurrency, taskCount);
    const held = heldBy(engine);
    return held ? new HeldFanOut(engine, held.steps, concurrency, taskCount) : new FanOutSteps(engine, concurrency, taskCount);
  },
  defaultConcurrency: slurmConcurrency,
  // A job "started" once submitted; it runs when Slurm says RUNNING (a `job:state` event).
  startedMeansRunning: false,
  doctor: slurmDoctorReport,
  sweep: sweepSlurmJobs,
};
