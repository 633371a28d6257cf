import type { PullSummary } from '../registry/pull-progress.js';

/** Lifecycle and progress events of one run, delivered to `options.onEvent`. */
export type ToolEvent =
  | { type: 'image:present'; image: string; imageId: string }
  | { type: 'image:pull'; image: string; status: string; id?: string; current?: number; total?: number }
  /** A pull's progress over all layers (registry/pull-progress.ts), a few times a second at most. */
  | ({ type: 'image:pull-progress'; image: string } & PullSummary)
  | { type: 'image:pulled'; image: string; imageId: string }
  /** Charliecloud/Apptainer engines: the image is being converted into the image store (once per image id). */
  | { type: 'image:convert'; image: string; imageId: string; status: string; elapsedMs: number }
  | { type: 'image:converted'; image: string; imageId: string; durationMs: number }
  | { type: 'container:created'; containerId: string }
  /**
   * Warm session: the call waits for its turn. A call with an env of its own runs alone in its
   * session (docs/sessions.md), so it waits for the calls running, and later calls wait for it.
   */
  | { type: 'session:waiting'; sessionId: string; reason: string }
  | { type: 'container:started'; containerId: string; startedAt: Date }
  /** Slurm engine: the run's job changed state (`PENDING`, `RUNNING`, …) or was placed on a node. */
  | { type: 'job:state'; jobId: string; state: string; node?: string }
  | { type: 'container:exited'; containerId: string; exitCode: number; durationMs: number }
  | { type: 'container:removed'; containerId: string }
  /**
   * Copy mode (or a warm session in copy mode) kept the local version of `path` over the tool's:
   * it changed here since it was copied into the tool. `note` is the same words as in `result.notes`.
   */
  | { type: 'outputs:kept-local'; path: string; note: string }
  /**
   * Attempt `attempt` of `of` starts after `delayMs` because the one before failed (`retry`
   * option): `reason` says which condition matched, `error` is that failure's first line.
   */
  | {
      type: 'retry';
      attempt: number;
      of: number;
      reason: 'oom' | 'exit-code' | 'daemon' | 'predicate';
      error: string;
      delayMs: number;
      memory?: number | string;
    };

export type EventListener = (event: ToolEvent) => void;

/** Calls the user's listener without letting its exceptions break the run. */
export function safeEmitter(listener: EventListener | undefined): EventListener {
  if (!listener) return () => {};
  return (event) => {
    try {
      listener(event);
    } catch (error) {
      process.emitWarning(`tooldock: onEvent listener threw: ${String(error)}`);
    }
  };
}
