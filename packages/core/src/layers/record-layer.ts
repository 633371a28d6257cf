import { userInfo } from 'node:os';
import { buildRecord, type RecordInput, type RunOutcome } from '../records/build-record.js';
import { recordedFiles } from '../records/record-files.js';
import { keepRecord, warnRecordFailure } from '../records/record-journal.js';
import { session } from '../backends/docker/process-session.js';
import type { RunSpec } from '../lifecycle/run-context.js';
import type { RunResult } from '../api/run-result.js';
import type { RunLayer } from './run-layer.js';
import type { RunTrace } from './run-trace.js';

/**
 * Longest a record may delay the settlement of its run (a hung network filesystem under
 * TOOLDOCK_HOME): past it the run settles and the record is finished in the background.
 */
const RECORD_BUDGET_MS = 2_000;

/**
 * Leaves a record of every call (records/): success or failure, cached or not, one per attempt
 * (it sits inside the retries, outside the cache, whose verdict it reads from the trace). The
 * call's outcome passes through unchanged: a failure is recorded, then rethrown as it was.
 */
export const recordLayer: RunLayer = (next) => async (spec, channels, trace) => {
  const startedAt = new Date();
  let result: RunResult;
  try {
    result = await next(spec, channels, trace);
  } catch (error) {
    await recordWithin(spec, trace, { error }, startedAt);
    throw error;
  }
  await recordWithin(spec, trace, { result }, startedAt);
  return result;
};

/** Never throws, never waits past the budget: a record must not fail or stall its run. */
async function recordWithin(spec: RunSpec, trace: RunTrace, outcome: RunOutcome, startedAt: Date): Promise<void> {
  const finishedAt = new Date();
  const work = record(spec, trace, outcome, startedAt, finishedAt).catch((error: unknown) => warnRecordFailure('could not record a run', error));
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, RECORD_BUDGET_MS);
    timer.unref();
  });
  await Promise.race([work, budget]);
  clearTimeout(timer);
}

async function record(spec: RunSpec, trace: RunTrace, outcome: RunOutcome, startedAt: Date, finishedAt: Date): Promise<void> {
  const input: RecordInput = {
    spec,
    trace,
    outcome,
    startedAt,
    finishedAt,
    files: await recordedFiles(spec, trace.cache),
    who: { session: session.id, pid: session.pid, host: session.host, ...agent() },
  };
  await keepRecord(buildRecord(input));
}

let account: { agent?: { user: string; uid: number } } | undefined;

/** The local account, read once (an unknown uid in a container has no name: then no agent). */
function agent(): { agent?: { user: string; uid: number } } {
  if (account) return account;
  try {
    const info = userInfo();
    account = { agent: { user: info.username, uid: info.uid } };
  } catch {
    account = {};
  }
  return account;
}
