import { randomUUID } from 'node:crypto';
import type { CacheTrace, RunTrace } from '../layers/run-trace.js';
import type { RunSpec } from '../lifecycle/run-context.js';
import type { ResolvedMount, RunResult } from '../api/run-result.js';
import { isToolError, type ToolError } from '../errors/tool-error.js';
import { recordedStdio } from './recorded-stdio.js';
import { RECORD_VERSION, type RecordedFile, type RecordedMount, type RunRecord } from './run-record.js';

/** How a call settled: its result, or what it threw (usually a ToolError). */
export type RunOutcome = { result: RunResult } | { error: unknown };

/** Everything a record is made of, gathered by the record layer. */
export interface RecordInput {
  spec: RunSpec;
  trace: RunTrace;
  outcome: RunOutcome;
  /** When the call started and settled, by our clock. */
  startedAt: Date;
  finishedAt: Date;
  files: { inputs: RecordedFile[]; outputs: RecordedFile[] };
  who: { session: string; pid: number; host: string; agent?: { user: string; uid: number } };
}

/** The record of one call (pure: the same input gives the same record, but for its id). */
export function buildRecord(input: RecordInput): RunRecord {
  const { spec, trace, outcome, who } = input;
  const facts = factsOf(outcome);
  return {
    version: RECORD_VERSION,
    id: randomUUID(),
    session: who.session,
    pid: who.pid,
    host: who.host,
    attempt: trace.attempt,
    image: spec.image,
    ...(facts.imageId ? { imageId: facts.imageId } : {}),
    args: [...spec.args],
    ...(spec.options.entrypoint !== undefined ? { entrypoint: spec.options.entrypoint } : {}),
    envNames: Object.keys(spec.options.env ?? {}).sort(),
    ...(spec.options.cwd ? { cwd: spec.options.cwd } : {}),
    userMode: spec.options.user,
    ...(facts.user ? { user: facts.user } : {}),
    engine: engineEndpoint(spec),
    mounts: recordedMounts(spec, facts.mounts),
    stdio: recordedStdio(spec.options),
    ...resourcesOf(spec),
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    durationMs: input.finishedAt.getTime() - input.startedAt.getTime(),
    ...(facts.exitCode !== undefined ? { exitCode: facts.exitCode } : {}),
    succeeded: 'result' in outcome && !outcome.result.failed,
    failed: facts.failed,
    killed: facts.killed,
    oomKilled: facts.oomKilled,
    timedOut: facts.timedOut,
    canceled: facts.canceled,
    ...(facts.error ? { error: facts.error } : {}),
    cached: facts.cached || trace.cache?.hit === true,
    ...(trace.cache ? { cache: cacheVerdict(trace.cache) } : {}),
    inputs: input.files.inputs,
    outputs: input.files.outputs,
    ...(who.agent ? { agent: who.agent } : {}),
  };
}

interface OutcomeFacts {
  imageId?: string;
  user?: string;
  exitCode?: number;
  mounts: ResolvedMount[];
  error?: string;
  failed: boolean;
  killed: boolean;
  oomKilled: boolean;
  timedOut: boolean;
  canceled: boolean;
  cached: boolean;
}

/** A result and a ToolError carry the same facts; anything else thrown carries only its message. */
function factsOf(outcome: RunOutcome): OutcomeFacts {
  if ('result' in outcome) {
    const r = outcome.result;
    return {
      imageId: r.imageId || undefined,
      user: r.user,
      exitCode: r.exitCode,
      mounts: r.mounts,
      failed: r.failed,
      killed: r.killed,
      oomKilled: r.oomKilled,
      timedOut: r.timedOut,
      canceled: r.canceled,
      cached: r.cached === true,
    };
  }
  const e = outcome.error;
  if (isToolError(e)) return toolErrorFacts(e);
  return {
    mounts: [],
    error: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
    failed: true,
    killed: false,
    oomKilled: false,
    timedOut: false,
    canceled: false,
    cached: false,
  };
}

function toolErrorFacts(e: ToolError): OutcomeFacts {
  return {
    imageId: e.imageId,
    user: e.user,
    exitCode: e.exitCode,
    mounts: e.mounts,
    error: e.shortMessage,
    failed: true,
    killed: e.killed,
    oomKilled: e.oomKilled,
    timedOut: e.timedOut,
    canceled: e.canceled,
    cached: false,
  };
}

/** The resolved mounts when the run got that far, else the requested ones (no daemon side yet). */
function recordedMounts(spec: RunSpec, resolved: ResolvedMount[]): RecordedMount[] {
  if (resolved.length > 0) {
    return resolved.map((m) => ({ localPath: m.localPath, target: m.target, source: m.source, readOnly: m.readOnly }));
  }
  return spec.mounts.map((m) => ({ localPath: m.path, target: m.target, readOnly: !m.write }));
}

function cacheVerdict(cache: CacheTrace): NonNullable<RunRecord['cache']> {
  return { key: cache.key, hit: cache.hit, inputMode: cache.inputMode, ...(cache.uncacheable ? { uncacheable: cache.uncacheable } : {}) };
}

/** Any engine (Docker, Slurm, …) names where it runs; unknown ones say so. */
function engineEndpoint(spec: RunSpec): string {
  const endpoint = (spec.engine as { endpoint?: unknown } | undefined)?.endpoint;
  return typeof endpoint === 'string' ? endpoint : 'unknown';
}

function resourcesOf(spec: RunSpec): Pick<RunRecord, 'resources'> {
  const { cpus, memory } = spec.options;
  if (cpus === undefined && memory === undefined) return {};
  return { resources: { ...(cpus !== undefined ? { cpus } : {}), ...(memory !== undefined ? { memory } : {}) } };
}
