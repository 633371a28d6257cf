import pLimit from 'p-limit';
import { z } from 'zod';
import { InvalidInputError, parseOrThrow } from '../errors/invalid-input-error.js';
import { defaultEngine, kindOf } from '../backends/registry.js';
import type { FanOutPlan } from '../backends/engine-kind.js';
import type { Engine } from '../backends/engine.js';
import { RunEngineSchema, type RunOptions } from '../api/options.js';
import type { RunResult } from '../api/run-result.js';
import type { RunSpec } from '../lifecycle/run-container.js';
import { startRun } from '../api/run-tool.js';
import type { ToolSession } from '../sessions/tool-session.js';
import { SessionPool } from './session-pool.js';
import { ToolError, isToolError } from '../errors/tool-error.js';
import { defaultConcurrency } from './default-concurrency.js';
import type { ProgressListener } from './progress.js';
import { ProgressTracker } from './progress-tracker.js';
import { prepareTasks, type PreparedTask, type Task } from './task.js';

const RunManyOptionsSchema = z
  .object({
    /** Tasks running at once; default: the daemon's CPU count. */
    concurrency: z.number().int('must be a whole number').min(1, 'must be at least 1').optional(),
    /** Stop everything at the first failure (default) or collect every outcome. */
    failFast: z.boolean().default(true),
    signal: z.instanceof(AbortSignal, { message: 'must be an AbortSignal' }).optional(),
    onProgress: z.custom<ProgressListener>((v) => typeof v === 'function', { message: 'must be a function' }).optional(),
    /**
     * Run tool tasks as calls in warm sessions (one container per image and mount set, reused;
     * at most `concurrency` of them), closed when the fan-out ends. See docs/sessions.md.
     */
    reuse: z.boolean().default(false),
    engine: RunEngineSchema.optional(),
  })
  .strict();

/** Options of {@link runMany}. */
export type RunManyOptions = z.input<typeof RunManyOptionsSchema>;

/** The outcome of one task with `failFast: false`. */
export type Settled<T> = { status: 'fulfilled'; value: T } | { status: 'rejected'; reason: unknown };

type ResultOf<K> = K extends (signal: AbortSignal) => Promise<infer R> ? R : RunResult;

/**
 * Runs many tasks with bounded parallelism: tool runs (`{ image, args, mounts?, options?, name? }`)
 * or functions `(signal) => Promise<T>`. Results come back in task order. Every task is validated
 * before any starts. With `failFast` (default) the first failure cancels the rest — queued tasks
 * never start, running containers are killed and removed — and rejects once all have stopped;
 * with `failFast: false` every outcome is returned, settled.
 *
 * @example
 * ```ts
 * const results = await runMany(
 *   samples.map((s) => ({ image, args: ['fastqc', '-o', out, s], mounts: [s, `${out}:rw`], name: s })),
 *   { concurrency: 4, onProgress: (p) => console.log(p.totals) },
 * );
 * ```
 */
// `K extends … | []` (not a `const` type parameter): it infers a tuple, so each element keeps its
// own result type, also under TypeScript 5.0 (tslab's compiler), where a `const` parameter made
// every tool task's args readonly, failed the constraint and typed each result `unknown`.
export function runMany<K extends readonly Task<unknown>[] | []>(
  tasks: K,
  options?: RunManyOptions & { failFast?: true },
): Promise<{ [I in keyof K]: ResultOf<K[I]> }>;
export function runMany<K extends readonly Task<unknown>[] | []>(
  tasks: K,
  options: RunManyOptions & { failFast: false },
): Promise<{ [I in keyof K]: Settled<ResultOf<K[I]>> }>;
export function runMany(tasks: readonly Task<unknown>[], options: RunManyOptions = {}): Promise<unknown[]> {
  // Validation is synchronous, like runTool's: nothing starts when any task is invalid.
  const parsed = parseOrThrow(RunManyOptionsSchema, options, 'options');
  const sessions = parsed.engine && kindOf(parsed.engine).sessions;
  if (parsed.reuse && sessions && 'unsupported' in sessions) throw new InvalidInputError('options.reuse', true, sessions.unsupported);
  const prepared = prepareTasks<unknown>(tasks, parsed.engine);
  return execute(prepared, parsed);
}

async function execute(prepared: PreparedTask<unknown>[], parsed: z.output<typeof RunManyOptionsSchema>): Promise<unknown[]> {
  const engine = parsed.engine ?? defaultEngine();
  const tracker = new ProgressTracker(
    prepared.map((t) => t.name),
    parsed.onProgress,
  );
  const stop = new AbortController();
  const signal = parsed.signal ? AbortSignal.any([parsed.signal, stop.signal]) : stop.signal;
  const concurrency = parsed.concurrency ?? (await defaultConcurrency(engine));
  // A scheduler may take the whole fan-out at once (Slurm: job arrays throttled to `concurrency`).
  const arrays = planFanOut(prepared, engine, concurrency, parsed.reuse);
  const limit = pLimit(arrays ? Number.POSITIVE_INFINITY : concurrency);
  const pool = parsed.reuse ? new SessionPool() : undefined;
  const cancelArrays = () => void arrays?.cancel().catch(() => {});
  signal.addEventListener('abort', cancelArrays, { once: true });

  const outcomes = await Promise.allSettled(
    prepared.map((task, index) =>
      limit(async () => {
        if (signal.aborted) {
          tracker.update(index, 'canceled', { error: 'canceled before it started' });
          throw canceledBeforeStart(task);
        }
        try {
          const value = await (arrays
            ? arrays.run(index, () => runTask(task, index, signal, tracker, pool))
            : runTask(task, index, signal, tracker, pool));
          tracker.update(index, 'done', {
            ...exitCodeOf(value),
            ...((value as { cached?: unknown } | null)?.cached === true ? { cached: true } : {}),
          });
          return value;
        } catch (error) {
          const canceled = signal.aborted || (isToolError(error) && error.canceled);
          tracker.update(index, canceled ? 'canceled' : 'failed', {
            error: isToolError(error) ? error.shortMessage : String((error as Error)?.message ?? error),
            ...(isToolError(error) && error.exitCode !== undefined ? { exitCode: error.exitCode } : {}),
          });
          if (parsed.failFast) stop.abort(error);
          throw error;
        }
      }),
    ),
  );
  signal.removeEventListener('abort', cancelArrays);
  await pool?.closeAll();
  tracker.finish();

  const names = prepared.map((t) => t.name);
  if (!parsed.failFast) {
    return withTaskNames(
      outcomes.map((o) => (o.status === 'fulfilled' ? { status: 'fulfilled', value: o.value } : { status: 'rejected', reason: o.reason })),
      names,
    );
  }
  const failure = firstFailure(outcomes, parsed.signal);
  if (failure !== undefined) throw failure;
  return withTaskNames(
    outcomes.map((o) => (o as PromiseFulfilledResult<unknown>).value),
    names,
  );
}

/**
 * The tasks' names ride along on the returned array, hidden (not enumerable, a registered
 * symbol): a notebook shows the list as a table whose rows are named like the progress table's.
 */
function withTaskNames<T extends unknown[]>(values: T, names: string[]): T {
  return Object.defineProperty(values, Symbol.for('tooldock.taskNames'), { value: names, enumerable: false });
}

/**
 * The engine's plan for the whole fan-out, when it has one and every task is a tool run on it
 * (function tasks such as recipe calls, or a task with its own engine, take the per-task path,
 * where runMany itself holds at most `concurrency` runs at once).
 */
function planFanOut(tasks: readonly PreparedTask<unknown>[], engine: Engine, concurrency: number, reuse: boolean): FanOutPlan | undefined {
  const kind = kindOf(engine);
  if (!kind.planFanOut || reuse || tasks.length === 0) return undefined;
  if (!tasks.every((task) => task.kind === 'tool' && task.spec.engine === engine)) return undefined;
  return kind.planFanOut(engine, tasks.length, concurrency);
}

async function runTask(
  task: PreparedTask<unknown>,
  index: number,
  signal: AbortSignal,
  tracker: ProgressTracker,
  pool: SessionPool | undefined,
): Promise<unknown> {
  if (task.kind === 'function') {
    tracker.update(index, 'running');
    return task.run(signal);
  }
  const borrowed = await pool?.acquire(task.spec, signal);
  try {
    return await runToolTask(task, index, signal, tracker, borrowed?.session);
  } finally {
    borrowed?.release();
  }
}

async function runToolTask(
  task: PreparedTask<unknown> & { kind: 'tool' },
  index: number,
  signal: AbortSignal,
  tracker: ProgressTracker,
  session: ToolSession | undefined,
): Promise<unknown> {
  const userOptions = task.spec.options;
  const spec: RunSpec = {
    ...task.spec,
    options: {
      ...userOptions,
      signal: userOptions.signal ? AbortSignal.any([userOptions.signal, signal]) : signal,
      onEvent: (event) => {
        if (event.type === 'image:pull' && tracker.tasks[index]!.state === 'queued') tracker.update(index, 'pulling');
        if (event.type === 'image:pull-progress') tracker.pullProgress(index, event);
        if (event.type === 'container:created') tracker.tasks[index]!.containerId = event.containerId;
        if (event.type === 'retry') tracker.update(index, tracker.tasks[index]!.state, { attempt: event.attempt, attempts: event.of });
        // A scheduler's job "started" once submitted; it runs when the scheduler says RUNNING.
        if (event.type === 'container:started' && tracker.tasks[index]!.state !== 'running' && kindOf(task.spec.engine).startedMeansRunning)
          tracker.update(index, 'running');
        if (event.type === 'job:state')
          tracker.update(index, event.state === 'RUNNING' ? 'running' : tracker.tasks[index]!.state, {
            jobId: event.jobId,
            jobState: event.state,
            ...(event.node ? { node: event.node } : {}),
          });
        userOptions.onEvent?.(event);
      },
    },
  };
  const run = session ? session.start(spec) : startRun(spec);
  // Output going to a file or a pipe is data (SAM records, FASTQ), not a status line: then the
  // tool's latest stderr line is what says where it stands.
  if (stdoutIsStatus(userOptions.stdout)) watchLastLine(run.stdout, (line) => tracker.line(index, line));
  watchLastLine(run.stderr, (line) => tracker.line(index, line));
  return await run;
}

function stdoutIsStatus(sink: RunOptions['stdout']): boolean {
  return sink !== 'ignore' && !(typeof sink === 'object' && sink !== null && 'file' in sink);
}

/** Observes a stream for its latest complete line without consuming it or slowing it down. */
function watchLastLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let partial = '';
  stream.on('data', (chunk: Buffer) => {
    const text = partial + chunk.subarray(Math.max(0, chunk.length - 4096)).toString('utf8');
    const lines = text.split('\n');
    partial = (lines.pop() ?? '').slice(-4096);
    const last = lines.reverse().find((l) => l.trim() !== '');
    if (last !== undefined) onLine(last);
  });
}

function exitCodeOf(value: unknown): { exitCode?: number } {
  const exitCode = (value as { exitCode?: unknown } | null)?.exitCode;
  return typeof exitCode === 'number' ? { exitCode } : {};
}

/** The error that stopped the fan-out: the first real failure, not the cancellations it caused. */
function firstFailure(outcomes: PromiseSettledResult<unknown>[], userSignal: AbortSignal | undefined): unknown {
  const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => o.reason);
  if (rejected.length === 0) return undefined;
  const cause = rejected.find((r) => !(isToolError(r) && r.canceled));
  if (cause !== undefined && !userSignal?.aborted) return cause;
  return rejected[0];
}

function canceledBeforeStart(task: PreparedTask<unknown>): ToolError {
  const image = task.kind === 'tool' ? task.spec.image : '(function task)';
  const args = task.kind === 'tool' ? task.spec.args : [];
  return new ToolError(`Task was canceled before it started: ${task.name}`, { image, args, command: args.join(' '), canceled: true });
}
