import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { toolDockHome } from '../util/environment.js';
import { session } from '../backends/docker/process-session.js';
import { ensureOwnDirectory, PRIVATE_FILE_MODE } from '../util/own-directory.js';
import { readJournals } from './read-journal.js';
import type { RunRecord } from './run-record.js';

/** Where records live: `<TOOLDOCK_HOME>/records/`, beside the cache. */
export function recordsDir(): string {
  return join(toolDockHome(), 'records');
}

/** One JSON-lines file per session, so no two processes ever append to the same file. */
export function journalFile(dir: string, sessionId: string): string {
  return join(dir, `${sessionId}.jsonl`);
}

/** Records held in memory; beyond this many, those already on disk are read back from there. */
const MAX_KEPT = 1000;
const kept: RunRecord[] = [];
const onDisk = new WeakSet<RunRecord>();
let evicted = 0;
let appending: Promise<void> = Promise.resolve();
let warned = false;
/** A journal directory that takes longer than this to make is given up on (a hung network mount). */
const JOURNAL_STEP_MS = 5_000;

/** This process's records, oldest first (a long session's older ones come from its journal). */
export function recordsOfThisProcess(): readonly RunRecord[] {
  if (evicted === 0) return kept;
  const byId = new Map(readJournals(recordsDir(), `${session.id}.jsonl`).map((r) => [r.id, r]));
  for (const record of kept) byId.set(record.id, record);
  return [...byId.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

/**
 * Keeps a record in memory and appends it to this session's journal. Appends run one after
 * another, each one whole line in one `O_APPEND` write, so records never interleave and a
 * killed process leaves at most one torn last line. A journal that cannot be written never
 * fails the run: it warns once and the records stay in memory.
 */
export function keepRecord(record: RunRecord): Promise<void> {
  kept.push(record);
  const line = Buffer.from(`${JSON.stringify(record)}\n`);
  appending = appending.then(() => appendLine(line)).then(() => written(record), warnOnce);
  return appending;
}

/** Memory stays bounded in a long session: records safely on disk leave it first. */
function written(record: RunRecord): void {
  onDisk.add(record);
  while (kept.length > MAX_KEPT && onDisk.has(kept[0]!)) {
    kept.shift();
    evicted++;
  }
}

async function appendLine(line: Buffer): Promise<void> {
  const dir = recordsDir();
  const path = journalFile(dir, session.id);
  // The directory is made only when the journal is missing: one open per record, as before.
  const file = await open(path, 'a', PRIVATE_FILE_MODE).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
    await ensureOwnDirectory(dir, AbortSignal.timeout(JOURNAL_STEP_MS));
    return open(path, 'a', PRIVATE_FILE_MODE);
  });
  try {
    const { bytesWritten } = await file.write(line, 0, line.length);
    if (bytesWritten !== line.length) throw new Error(`short write (${bytesWritten} of ${line.length} bytes)`);
  } finally {
    await file.close();
  }
}

function warnOnce(error: unknown): void {
  warnRecordFailure(`run records could not be written to ${recordsDir()} (kept in memory only)`, error);
}

/** One warning per process for anything that keeps a run from being recorded: runs go on. */
export function warnRecordFailure(what: string, error: unknown): void {
  if (warned) return;
  warned = true;
  process.emitWarning(`tooldock: ${what}: ${(error as Error)?.message ?? String(error)}`);
}
