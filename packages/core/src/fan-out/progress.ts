import type { PullSummary } from '../registry/pull-progress.js';

/** Where one task of a fan-out stands. */
export type TaskState = 'queued' | 'pulling' | 'running' | 'done' | 'failed' | 'canceled';

/** One task's progress: what a progress table row shows. */
export interface TaskProgress {
  /** Position in the task list (results come back in this order). */
  index: number;
  /** The task's `name`, else a short label derived from it (tool and first arg). */
  name: string;
  state: TaskState;
  queuedAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
  durationMs?: number;
  exitCode?: number;
  containerId?: string;
  /** The last line the tool printed (stdout or stderr), for a live view. */
  lastLine?: string;
  /** Short error text for failed/canceled tasks. */
  error?: string;
  /** Done without running: served from the result cache (`cache` option). */
  cached?: boolean;
  /** Set once the task is retried (`retry` option): the attempt under way, of `attempts`. */
  attempt?: number;
  attempts?: number;
  /** Slurm engine: the task's job id, its Slurm state (`PENDING`, `RUNNING`, …) and node. */
  jobId?: string;
  jobState?: string;
  node?: string;
  /** While its image is being pulled: layers, bytes and rate (`formatPullProgress` words it). */
  pull?: PullSummary;
}

/** Counts per state, and the total. */
export type ProgressTotals = Record<TaskState, number> & { total: number };

/** Delivered to `runMany`'s `onProgress` on every state change (and on new last lines, throttled by consumers). */
export interface FanOutProgress {
  /** The task that changed. */
  task: TaskProgress;
  /** All tasks, in task order (the same objects, updated in place). */
  tasks: readonly TaskProgress[];
  totals: ProgressTotals;
  startedAt: Date;
  elapsedMs: number;
  /** True on the last event of the fan-out. */
  finished: boolean;
}

export type ProgressListener = (progress: FanOutProgress) => void;
