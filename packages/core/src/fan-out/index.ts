export * from './progress.js';
export { runMany, type RunManyOptions, type Settled } from './run-many.js';
export type { Task, ToolTask, FunctionTask } from './task.js';
export { terminalProgress, type TerminalProgressOptions } from './terminal-progress.js';
