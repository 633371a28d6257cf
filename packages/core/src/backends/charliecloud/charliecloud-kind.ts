import { availableParallelism } from 'node:os';
import type { EngineKind } from '../engine-kind.js';
import { looksLikeEngine } from '../engine.js';
import { checkSlurmMounts } from '../slurm/slurm-mounts.js';
import { CharliecloudBackend } from './charliecloud-backend.js';
import { charliecloudDoctorReport } from './charliecloud-doctor.js';
import { connectCharliecloud, type CharliecloudEngine } from './charliecloud-engine.js';
import type { CharliecloudOptions } from './charliecloud-options.js';
import { refuseUnenforceable } from './guarantees.js';

/** Charliecloud on this machine (`connect({ runtime: 'charliecloud' })`): ch-run, no daemon (docs/clusters.md). */
export const charliecloudKind: EngineKind<CharliecloudEngine> = {
  name: 'charliecloud',
  connectOption: 'runtime',
  connectValue: 'charliecloud',
  connect: (options) => connectCharliecloud(options as CharliecloudOptions),
  owns: (value): value is CharliecloudEngine => looksLikeEngine(value) && value.kind === 'charliecloud',
  backend: (engine) => new CharliecloudBackend(engine),
  checkMounts: (_engine, mounts, options) => {
    // Your own paths; the tool keeps your groups (a user namespace cannot drop them), so a
    // runtime's socket in a mount is refused as on a cluster. Then what cannot be enforced.
    checkSlurmMounts(mounts, options);
    refuseUnenforceable(options);
  },
  // The store knows the id of what it holds, without a daemon.
  identifyImage: async (engine, image) => {
    const id = engine.identityOf(image);
    return id ? { kind: 'id', id } : { kind: 'absent' };
  },
  sessions: { unsupported: 'warm sessions need a Docker engine: a Charliecloud run starts in a fraction of a second anyway (docs/clusters.md)' },
  defaultConcurrency: async () => availableParallelism(), // the tools run on this machine
  startedMeansRunning: true,
  doctor: charliecloudDoctorReport,
  // A run's processes die with its pid namespace; its stage directory is removed with the run.
  sweep: async () => ({ removed: [], kept: [] }),
};
