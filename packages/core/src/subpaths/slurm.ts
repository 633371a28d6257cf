// `@tooldock/core/slurm`: a Slurm cluster as an engine, `connect({ slurm })` (docs/clusters.md).
export { SlurmEngine } from '../backends/slurm/slurm-engine.js';
export type { SlurmOptions } from '../backends/slurm/slurm-options.js';
export type { SlurmDoctorReport } from '../backends/slurm/slurm-doctor.js';
export type { MountLocality } from '../backends/slurm/mount-locality.js';
export { WarmAllocation, type HoldOptions } from '../backends/slurm/warm-allocation.js';
