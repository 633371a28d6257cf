import type { PassThrough } from 'node:stream';

/** The caller-facing ends of a run (owned by `ToolRun`). */
export interface RunChannels {
  stdout: PassThrough;
  stderr: PassThrough;
  /** Aborted by `cancel()` or the caller's signal. */
  abort: AbortSignal;
  onContainerId(id: string): void;
}
