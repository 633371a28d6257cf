// The front door: what a notebook or a script needs. Hooks for wrappers, tests and custom
// topologies live in `@tooldock/core/advanced` (advanced.ts).

// Run one tool.
export { runTool } from './run-tool.js';
export { ToolRun } from './tool-run.js';
export type { RunOptions, OutputSink, StdinSource } from './options.js';
export type { MountSpec } from './mount-spec.js';
export type { RunResult, ResolvedMount, Captured } from './run-result.js';
export type { OutputLine } from './output-lines.js';
export type { ToolEvent } from './events.js';
export { toolSession, ToolSession } from './sessions/tool-session.js';
export type { SessionOptions, CallOptions } from './sessions/session-options.js';

// Fan out over many.
export { runMany, type RunManyOptions, type Settled } from './fan-out/run-many.js';
export type { Task, ToolTask, FunctionTask } from './fan-out/task.js';
export type { FanOutProgress, TaskProgress, TaskState, ProgressTotals, ProgressListener } from './fan-out/progress.js';
export { terminalProgress, type TerminalProgressOptions } from './fan-out/terminal-progress.js';

// Engines: which daemon, and how to reach it.
export { connect, DockerEngine, type EngineVersion } from './engine/docker-engine.js';
export type { ConnectOptions, EngineChoice, EngineTarget } from './engine/engine-target.js';
export type { SshOptions } from './engine/ssh-dial-agent.js';
export { currentDockerContext, type DockerContext } from './engine/docker-context.js';

// Diagnose and tidy up.
export { doctor, type DoctorReport, type DoctorFinding } from './dood/doctor.js';
export { resolveHostPath } from './dood/resolve-host-path.js';
export type { DaemonSource } from './dood/translate-path.js';
export { cleanupOrphans, type OrphanReport } from './shutdown/cleanup-orphans.js';

// Errors: what a failed call throws.
export { ToolError, isToolError, type ToolErrorDetails } from './tool-error.js';
export { InvalidInputError } from './invalid-input-error.js';
export { EngineUnreachableError } from './engine/engine-unreachable-error.js';
export { PathNotShareableError } from './dood/path-not-shareable-error.js';

// This process's session: the label on every container it starts.
export { session } from './session.js';
