// The front door: what a notebook or a script needs. Hooks for wrappers, tests and custom
// topologies live in `@tooldock/core/advanced` (advanced.ts).

// Run one tool.
export { runTool } from './api/run-tool.js';
export { ToolRun } from './api/tool-run.js';
export type { RunOptions, OutputSink, StdinSource } from './api/options.js';
export type { MountSpec } from './api/mount-spec.js';
export type { RunResult, ResolvedMount, Captured } from './api/run-result.js';
export type { OutputLine } from './lifecycle/output-lines.js';
export type { ToolEvent } from './lifecycle/events.js';
export type { RetryOptions, RetryWhen, Backoff } from './retry/retry-options.js';
export { toolSession, ToolSession } from './sessions/tool-session.js';
export type { SessionOptions, CallOptions } from './sessions/session-options.js';

// Cache results: an unchanged call returns its earlier result (docs/cache.md).
export { configure, type ToolDockDefaults } from './cache/configure.js';
export type { CacheOption, InputMode } from './cache/cache-settings.js';
export { cacheInfo, pruneCache, type CacheInfo, type PruneOptions } from './cache/manage-cache.js';

// Fan out over many.
export { runMany, type RunManyOptions, type Settled } from './fan-out/run-many.js';
export type { Task, ToolTask, FunctionTask } from './fan-out/task.js';
export type { FanOutProgress, TaskProgress, TaskState, ProgressTotals, ProgressListener } from './fan-out/progress.js';
export { terminalProgress, type TerminalProgressOptions } from './fan-out/terminal-progress.js';

// Images: pre-pull, registry credentials, pull progress (docs/images.md).
export { pullImages, type PullImagesOptions, type PulledImage } from './registry/pull-images.js';
export type { RegistryAuth } from './registry/registry-auth.js';
export { RegistryAuthError } from './registry/pull-error.js';
export { formatPullProgress, type PullSummary } from './registry/pull-progress.js';

// Engines: which daemon, and how to reach it.
export { connect } from './backends/connect.js';
export { DockerEngine, type EngineVersion } from './backends/docker/engine/docker-engine.js';
export type { ConnectOptions, EngineChoice, EngineTarget } from './backends/docker/engine/engine-target.js';
// A Slurm cluster as an engine: connect({ slurm }) (docs/clusters.md).
export { SlurmEngine } from './backends/slurm/slurm-engine.js';
export type { SlurmOptions } from './backends/slurm/slurm-options.js';
// No daemon: connect({ runtime: 'charliecloud' }) runs tools with ch-run as you (docs/clusters.md).
export { CharliecloudEngine } from './backends/charliecloud/charliecloud-engine.js';
export type { CharliecloudOptions } from './backends/charliecloud/charliecloud-options.js';
export type { CharliecloudDoctorReport } from './diagnose/doctor-report.js';
export type { ReadyImage } from './backends/image-store/image-store.js';
export type { Engine } from './backends/engine.js';
export type { SlurmDoctorReport } from './backends/slurm/slurm-doctor.js';
export type { MountLocality } from './backends/slurm/mount-locality.js';
export type { SshOptions } from './backends/docker/engine/ssh-dial-agent.js';
export { currentDockerContext, type DockerContext } from './backends/docker/engine/docker-context.js';

// Diagnose and tidy up.
export { doctor, type DoctorReport, type DoctorFinding } from './diagnose/doctor.js';
export { resolveHostPath } from './backends/docker/dood/resolve-host-path.js';
export type { DaemonSource } from './backends/docker/dood/translate-path.js';
export { cleanupOrphans, type OrphanReport } from './shutdown/cleanup-orphans.js';

// Errors: what a failed call throws.
export { TooldockError, isTooldockError } from './errors/tooldock-error.js';
export { ToolError, isToolError, type ToolErrorDetails } from './errors/tool-error.js';
export { InvalidInputError } from './errors/invalid-input-error.js';
export { EngineUnreachableError } from './backends/docker/engine/engine-unreachable-error.js';
export { PathNotShareableError } from './backends/docker/dood/path-not-shareable-error.js';

// This process's session: the label on every container it starts.
export { session } from './backends/docker/process-session.js';

// What ran: run records, and their provenance as an RO-Crate (docs/provenance.md).
export { runRecords, type RunRecordsOptions } from './records/run-records.js';
export type { RunRecord, RecordedFile, RecordedMount } from './records/run-record.js';
export { exportProvenance, type ExportProvenanceOptions, type ExportedCrate } from './records/crate/export-provenance.js';
export { exportWorkflow, type ExportWorkflowOptions, type ExportedWorkflow } from './workflow/export-workflow.js';
