import { createLogUpdate } from 'log-update';
import { z } from 'zod';
import { parseOrThrow } from '../errors/invalid-input-error.js';
import { formatPullProgress } from '../registry/pull-progress.js';
import type { FanOutProgress, ProgressListener, TaskProgress } from './progress.js';

/** Options of {@link terminalProgress}. */
export interface TerminalProgressOptions {
  /** Where to draw; default `process.stderr` (keeps stdout clean for the program's own output). */
  stream?: NodeJS.WriteStream;
  /** Most task rows shown at once (running tasks first; the others are counted). Default 8. */
  maxRows?: number;
  /** Redraws per second at most. Default 8. */
  fps?: number;
}

// Checked like every other entry point's options: `{ maxRow: 3 }` would otherwise be ignored,
// and `fps: 0` or a negative one turns the redraw interval into Infinity or a negative number.
const TerminalProgressOptionsSchema = z
  .object({
    stream: z
      .custom<NodeJS.WriteStream>((v) => typeof v === 'object' && v !== null && typeof (v as { write?: unknown }).write === 'function', {
        message: 'must be a writable stream such as process.stderr',
      })
      .optional(),
    maxRows: z.number().int('must be a whole number').min(0, 'must be 0 or more').optional(),
    fps: z.number().positive('must be a positive number of redraws per second').max(1000, 'must be at most 1000').optional(),
  })
  .strict();

// The schema and the documented interface must describe the same options.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesInterface: Same<z.input<typeof TerminalProgressOptionsSchema>, TerminalProgressOptions> = true;
void schemaMatchesInterface;

/**
 * An `onProgress` handler for scripts: a live summary and the running tasks, redrawn in place
 * (log-update) when the stream is a terminal, silent otherwise (CI logs, pipes, notebooks).
 * Invalid options throw an `InvalidInputError` at once.
 *
 * @example
 * ```ts
 * await runMany(tasks, { concurrency: 4, onProgress: terminalProgress() });
 * ```
 */
export function terminalProgress(options: TerminalProgressOptions = {}): ProgressListener {
  const parsed = parseOrThrow(TerminalProgressOptionsSchema, options, 'options');
  const stream = parsed.stream ?? process.stderr;
  if (!stream.isTTY) return () => {};
  const draw = createLogUpdate(stream);
  const interval = 1000 / (parsed.fps ?? 8);
  const maxRows = parsed.maxRows ?? 8;
  let lastDraw = 0;
  return (progress) => {
    const now = Date.now();
    if (!progress.finished && now - lastDraw < interval) return;
    lastDraw = now;
    draw(render(progress, maxRows, stream.columns || 100)); // a pty may report 0 columns
    if (progress.finished) draw.done();
  };
}

/** The text shown: one summary line, then rows for running (then failed) tasks. */
export function render(progress: FanOutProgress, maxRows: number, width: number): string {
  const { totals } = progress;
  const summary =
    `${totals.done + totals.failed + totals.canceled}/${totals.total} finished · ` +
    `${totals.running + totals.pulling} running · ${totals.queued} queued` +
    (totals.failed ? ` · ${totals.failed} failed` : '') +
    (totals.canceled ? ` · ${totals.canceled} canceled` : '') +
    cachedCount(progress) +
    ` · ${seconds(progress.elapsedMs)}`;
  const shown = [
    ...progress.tasks.filter((t) => t.state === 'running' || t.state === 'pulling'),
    ...progress.tasks.filter((t) => t.state === 'failed'),
  ].slice(0, maxRows);
  const rows = shown.map((task) => clip(row(task), width));
  const hidden = totals.running + totals.pulling + totals.failed - shown.length;
  if (hidden > 0) rows.push(`  … ${hidden} more`);
  return [summary, ...rows].join('\n');
}

function row(task: TaskProgress): string {
  const mark = { queued: '·', pulling: '↓', running: '▶', done: '✓', failed: '✗', canceled: '■' }[task.state];
  const elapsed = task.startedAt ? seconds(Date.now() - task.startedAt.getTime()) : '';
  const detail =
    task.state === 'failed' ? (task.error ?? '') : task.state === 'pulling' && task.pull ? formatPullProgress(task.pull) : (task.lastLine ?? '');
  const attempt = task.attempt ? ` (attempt ${task.attempt}/${task.attempts})` : '';
  // A Slurm task: where the scheduler has it.
  const job = task.jobId ? ` [job ${task.jobId} ${task.jobState ?? ''}${task.node ? ` on ${task.node}` : ''}]` : '';
  return `  ${mark} ${task.name}${attempt}${job}  ${elapsed}  ${detail}`;
}

/** Tasks served from the result cache are done without running: say how many. */
function cachedCount(progress: FanOutProgress): string {
  const cached = progress.tasks.filter((t) => t.cached).length;
  return cached ? ` · ${cached} cached` : '';
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

function clip(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}
