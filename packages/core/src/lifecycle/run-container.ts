import { CommandNotRunnableError, type LaunchedTool, type PreparedTool, type StepContext } from '../backends/tool-backend.js';
import { bounded, RunAborted } from './bounded.js';
import { buildResult, classifyExit, failureMessage } from './outcome.js';
import { RunContext, type RunChannels, type RunSpec } from './run-context.js';
import { feedStdin } from './stdin-feed.js';
import type { RunResult } from '../api/run-result.js';
import type { ToolError } from '../errors/tool-error.js';
import { refuseLinkedRoot } from '../util/link-safety.js';

export type { RunChannels, RunSpec } from './run-context.js';

/**
 * The lifecycle of one tool run, in stages: prepare (mounts, user, image) → launch (create,
 * attach and register the wait, all before start) → execute (inputs in, start, stream until
 * exit and end of output) → finish (outputs back, outcome, result or error) → clean up.
 * Every await is bounded by the run's signal (cancel or timeout, counted from the first step);
 * every failure becomes the run's ToolError; what was launched is removed whatever happened.
 * The backend (Docker today) does the runtime's part; see backends/tool-backend.ts.
 */
export async function runContainer(spec: RunSpec, channels: RunChannels): Promise<RunResult> {
  const run = new RunContext(spec, channels);
  let launched: LaunchedTool | undefined;
  try {
    const prepared = await prepare(run);
    launched = await launch(run, prepared);
    const exitCode = await execute(run, launched);
    return await finish(run, launched, exitCode);
  } catch (error) {
    launched?.dropOutput();
    await run.output.abandon();
    const failure = run.explain(error, `Could not run ${run.tool}`);
    if (launched && !run.spec.options.reject && failure.cause instanceof CommandNotRunnableError)
      return notRunnableResult(run, launched, failure, failure.cause);
    throw failure;
  } finally {
    run.dispose();
    if (launched) await cleanUp(run, launched);
  }
}

async function prepare(run: RunContext): Promise<PreparedTool> {
  const { image, args, mounts, options } = run.spec;
  const prepared = await step(run, `Could not prepare ${run.tool}`, async () => {
    if (run.signal.aborted) throw new RunAborted('waiting to start');
    // Before any mode hands a writable mount on (a bind mount's source is followed by the daemon).
    await bounded(Promise.all(mounts.filter((m) => m.write).map((m) => refuseLinkedRoot(m.path))), run.signal, 'checking its writable mounts');
    return run.spec.backend.prepare({ image, args, mounts, options }, run);
  });
  run.learnt({ imageId: prepared.imageId, mounts: prepared.mounts, user: prepared.user });
  return prepared;
}

async function launch(run: RunContext, prepared: PreparedTool): Promise<LaunchedTool> {
  const { channels, spec } = run;
  const stdin = spec.options.stdin;
  const launched = await step(run, `Could not create a container for ${run.tool}`, () =>
    prepared.launch({ stdout: channels.stdout, stderr: channels.stderr, stdin: stdin !== undefined }, run),
  );
  run.learnt({ containerId: launched.id });
  channels.onContainerId(launched.id);
  run.emit({ type: 'container:created', containerId: launched.id });
  if (stdin !== undefined && launched.stdin) feedStdin(stdin, launched.stdin, (error) => run.failWith(error));
  return launched;
}

async function execute(run: RunContext, launched: LaunchedTool): Promise<number> {
  await step(run, `Could not copy inputs for ${run.tool}`, () => launched.beforeStart(run));
  await step(run, `Could not start ${run.tool}`, () => launched.start(run));
  run.started = true;
  const startedAt = new Date();
  run.learnt({ startedAt });
  run.emit({ type: 'container:started', containerId: launched.id, startedAt });
  const stopKilling = killOnAbort(run, launched);
  try {
    return await step(run, `Lost track of ${run.tool}`, () => awaitExit(run, launched));
  } finally {
    stopKilling();
  }
}

async function finish(run: RunContext, launched: LaunchedTool, exitCode: number): Promise<RunResult> {
  run.throwIfFailed();
  const finishedAt = new Date();
  const startedAt = run.facts.startedAt!;
  const durationMs = finishedAt.getTime() - startedAt.getTime();
  run.emit({ type: 'container:exited', containerId: launched.id, exitCode, durationMs });
  // After a kill the run's signal has fired: the last steps share its grace period.
  const after: StepContext = run.signal.aborted ? { signal: run.graceSignal(), emit: run.emit } : run;
  // Only a failure needs the exit state (OOM); a success saves the call.
  const { oomKilled } = exitCode === 0 ? { oomKilled: false } : await launched.exitFacts(exitCode, after);
  const outcome = classifyExit(exitCode, run.endedBy, oomKilled);
  run.learnt({ ...outcome, finishedAt, durationMs });
  const { copyOutputs } = run.spec.options;
  const keep = copyOutputs === 'always' || (copyOutputs === 'on-success' && !outcome.failed);
  const kept = await step(run, `Could not copy outputs of ${run.tool}`, () => launched.collectOutputs(keep, after));
  for (const { path, note } of kept) run.emit({ type: 'outputs:kept-local', path, note });
  const keptNotes = kept.map((k) => k.note);
  run.learnt({ notes: keptNotes });
  if (run.signal.aborted) {
    // Ended by us: what reached the sinks is what the error shows; a stalled reader must not delay it.
    await bounded(run.output.flushed(), AbortSignal.timeout(500), 'writing its output').catch(() => {});
  } else {
    await step(run, `Could not write the output of ${run.tool}`, () => bounded(run.output.flushed(), run.signal, 'writing its output'));
  }
  const captured = run.output.captured();
  const toolNotes = launched.notes?.() ?? [];
  run.learnt({ ...captured, notes: [...captured.notes, ...keptNotes, ...toolNotes] });
  if (outcome.failed && run.spec.options.reject) throw run.error(failureMessage(run.tool, outcome, run.limits), outcome);
  await run.output.commit(!outcome.failed);
  return buildResult(run.facts, outcome, { imageId: run.facts.imageId!, containerId: launched.id, startedAt, finishedAt, durationMs });
}

/**
 * `reject: false` and a command the runtime could not start: a failed result with the shell's
 * exit code (127 missing, 126 not executable), as `docker run` exits; why is in `notes`.
 */
function notRunnableResult(run: RunContext, launched: LaunchedTool, failure: ToolError, cause: CommandNotRunnableError): RunResult {
  const now = new Date();
  const captured = run.output.captured();
  const notes = [...captured.notes, `${failure.shortMessage}; the runtime said: ${cause.runtimeMessage}`];
  return buildResult({ ...run.facts, ...captured, notes }, classifyExit(cause.exitCode, undefined, false), {
    imageId: run.facts.imageId!,
    containerId: launched.id,
    startedAt: now,
    finishedAt: now,
    durationMs: 0,
  });
}

/** Waits for the exit and the end of the output; once we ended the run, only for a grace period. */
async function awaitExit(run: RunContext, launched: LaunchedTool): Promise<number> {
  // The exit first: when the daemon goes away, the wait says so more clearly than the output does.
  const exited = launched.exited.then(async (exitCode) => {
    await launched.outputEnded;
    return exitCode;
  });
  try {
    return await bounded(exited, run.signal, 'running');
  } catch (error) {
    if (!(error instanceof RunAborted)) throw error;
    return await bounded(exited, run.graceSignal(), 'waiting for the killed tool to exit');
  }
}

/** Cancel, timeout or an internal failure kills the tool and stops honouring slow readers. */
function killOnAbort(run: RunContext, launched: LaunchedTool): () => void {
  const kill = () => {
    launched.dropOutput();
    launched.kill(run.graceSignal()).catch(() => {}); // the exit wait is bounded too
  };
  if (run.signal.aborted) kill();
  else run.signal.addEventListener('abort', kill, { once: true });
  return () => run.signal.removeEventListener('abort', kill);
}

async function cleanUp(run: RunContext, launched: LaunchedTool): Promise<void> {
  await launched.remove(run.graceSignal()).then(
    () => run.emit({ type: 'container:removed', containerId: launched.id }),
    (error: unknown) =>
      process.emitWarning(`tooldock: could not remove container ${launched.id} yet (retried later): ${run.spec.backend.explainError(error)}`),
  );
}

/** Runs one step; any failure becomes the run's ToolError, saying what could not be done. */
async function step<T>(run: RunContext, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw run.explain(error, what);
  }
}
