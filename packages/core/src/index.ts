// The front door tells one story: run a tool, fan out, keep a warm session, pick an engine,
// diagnose, and the errors a failed call throws (15 values; docs/architecture.md, "Entry points",
// says why each is here). Everything else is on a subpath by concern: `@tooldock/core/cache`,
// `/images`, `/provenance`, `/docker`, `/slurm`, `/charliecloud`, and `/advanced` for hooks.
// Types stay here wherever the values above take or give them, so a caller can type its own code.

// Run one tool.
export { runTool } from './api/run-tool.js';
export { ToolRun } from './api/tool-run.js';
export type { RunOptions, OutputSink, StdinSource } from './api/options.js';
export type { MountSpec } from './api/mount-spec.js';
export type { RunResult, ResolvedMount, Captured } from './api/run-result.js';
export type { OutputLine } from './lifecycle/output-lines.js';
export type { ToolEvent } from './lifecycle/events.js';
export type { RetryOptions, RetryWhen, Backoff } from './retry/retry-options.js';
export type { CacheOption, InputMode } from './cache/cache-settings.js';
export type { RegistryAuth } from './registry/registry-auth.js';

// Fan out over many.
export { runMany, type RunManyOptions, type Settled } from './fan-out/run-many.js';
export type { Task, ToolTask, FunctionTask } from './fan-out/task.js';
export type { FanOutProgress, TaskProgress, TaskState, ProgressTotals, ProgressListener } from './fan-out/progress.js';
export { terminalProgress, type TerminalProgressOptions } from './fan-out/terminal-progress.js';

// Warm sessions: many calls in one container.
export { toolSession, ToolSession } from './sessions/tool-session.js';
export type { SessionOptions, CallOptions } from './sessions/session-options.js';

// Engines: which runtime, and how to reach it. The engine classes are on their subpaths.
export { connect } from './backends/connect.js';
export type { Engine } from './backends/engine.js';
export type { ConnectOptions, EngineChoice, EngineTarget } from './backends/docker/engine/engine-target.js';
export type { SshOptions } from './backends/docker/engine/ssh-dial-agent.js';
export type { SlurmOptions } from './backends/slurm/slurm-options.js';
export type { CharliecloudOptions } from './backends/charliecloud/charliecloud-options.js';

// Diagnose and tidy up.
export { doctor, type DoctorReport, type DoctorFinding } from './diagnose/doctor.js';
export type { SlurmDoctorReport, CharliecloudDoctorReport } from './diagnose/doctor-report.js';
export type { MountLocality } from './backends/slurm/mount-locality.js';
export { cleanupOrphans, type OrphanReport } from './shutdown/cleanup-orphans.js';

// Errors: what a failed call throws (each has a stable `code`; the subpaths' own errors too).
export { TooldockError, isTooldockError } from './errors/tooldock-error.js';
export { ToolError, isToolError, type ToolErrorDetails } from './errors/tool-error.js';
export { InvalidInputError } from './errors/invalid-input-error.js';
export { EngineUnreachableError } from './backends/docker/engine/engine-unreachable-error.js';
