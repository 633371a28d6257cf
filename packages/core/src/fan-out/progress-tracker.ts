import type { PullSummary } from '../registry/pull-progress.js';
import type { FanOutProgress, ProgressListener, ProgressTotals, TaskProgress, TaskState } from './progress.js';

const LINE_UPDATES_PER_SECOND = 10;
/** Wide enough for a tool's status line, narrow enough for a table cell or a terminal row. */
const LAST_LINE_WIDTH = 120;

/** Keeps every task's progress and tells the listener about each change. */
export class ProgressTracker {
  readonly tasks: TaskProgress[];
  private readonly startedAt = new Date();
  private lastLineEmit = 0;

  constructor(
    names: string[],
    private readonly listener: ProgressListener | undefined,
  ) {
    const now = new Date();
    this.tasks = names.map((name, index) => ({ index, name, state: 'queued', queuedAt: now }));
  }

  /** Moves a task to `state`, stamping times. */
  update(index: number, state: TaskState, extra: Partial<TaskProgress> = {}): void {
    const task = this.tasks[index]!;
    const now = new Date();
    if ((state === 'running' || state === 'pulling') && !task.startedAt) task.startedAt = now;
    if (state === 'done' || state === 'failed' || state === 'canceled') {
      task.finishedAt = now;
      if (task.startedAt) task.durationMs = now.getTime() - task.startedAt.getTime();
    }
    Object.assign(task, extra, { state });
    this.emit(task, false);
  }

  /** A new output line; reported at most a few times a second across the fan-out. */
  line(index: number, line: string): void {
    const task = this.tasks[index]!;
    task.lastLine = readableLine(line);
    // Output can arrive before the daemon's answer to start: it proves the task runs.
    if (task.state === 'queued' || task.state === 'pulling') return this.update(index, 'running');
    this.emitThrottled(task);
  }

  /** The task's image pull progressed; reported at most a few times a second, like lines. */
  pullProgress(index: number, pull: PullSummary): void {
    const task = this.tasks[index]!;
    task.pull = pull;
    if (task.state === 'queued') return this.update(index, 'pulling');
    this.emitThrottled(task);
  }

  /** The final event. */
  finish(): void {
    const last = this.tasks[this.tasks.length - 1];
    if (last) this.emit(last, true);
  }

  totals(): ProgressTotals {
    const totals: ProgressTotals = { queued: 0, pulling: 0, running: 0, done: 0, failed: 0, canceled: 0, total: this.tasks.length };
    for (const task of this.tasks) totals[task.state]++;
    return totals;
  }

  private emitThrottled(task: TaskProgress): void {
    const now = Date.now();
    if (now - this.lastLineEmit < 1000 / LINE_UPDATES_PER_SECOND) return;
    this.lastLineEmit = now;
    this.emit(task, false);
  }

  private emit(task: TaskProgress, finished: boolean): void {
    if (!this.listener) return;
    const event: FanOutProgress = {
      task,
      tasks: this.tasks,
      totals: this.totals(),
      startedAt: this.startedAt,
      elapsedMs: Date.now() - this.startedAt.getTime(),
      finished,
    };
    try {
      this.listener(event);
    } catch (error) {
      process.emitWarning(`tooldock: onProgress listener threw: ${String(error)}`);
    }
  }
}

// What a person does not see on a terminal: colour codes and other control characters.
// eslint-disable-next-line no-control-regex
const COLOUR_CODES = /\x1b\[[0-9;?]*[A-Za-z]/g;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\x00-\x08\x0b-\x1f\x7f]/g;

/** A status line as a person reads it: the last \r-redrawn state, no colour codes, cut to width. */
export function readableLine(line: string): string {
  const lastRedraw =
    line
      .split('\r')
      .filter((part) => part.trim() !== '')
      .pop() ?? '';
  const plain = lastRedraw.replace(COLOUR_CODES, '').replace(CONTROL_CHARACTERS, '').trimEnd();
  return plain.length > LAST_LINE_WIDTH ? `${plain.slice(0, LAST_LINE_WIDTH - 1)}…` : plain;
}
