import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RECORD_VERSION, type RunRecord } from './run-record.js';

/**
 * Every record in the journals of `dir` (all sessions, or the one file named `only`), oldest first. A line that is not a
 * whole record — the torn last line of a process killed mid-append, or anything else that
 * does not parse — is skipped, never fatal; a missing directory holds no records.
 */
export function readJournals(dir: string, only?: string): RunRecord[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.jsonl') && (only === undefined || name === only));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const records = names.flatMap((name) => parseJournal(readJournal(join(dir, name))));
  return records.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

function readJournal(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return ''; // removed (pruned) between listing and reading
  }
}

/** The records of one journal's text; torn or foreign lines are left out. */
export function parseJournal(text: string): RunRecord[] {
  const records: RunRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const record = parseLine(line);
    if (record) records.push(record);
  }
  return records;
}

function parseLine(line: string): RunRecord | undefined {
  try {
    const value = JSON.parse(line) as Partial<RunRecord> | null;
    const looksWhole =
      typeof value === 'object' &&
      value !== null &&
      value.version === RECORD_VERSION &&
      typeof value.id === 'string' &&
      typeof value.startedAt === 'string' &&
      Array.isArray(value.args);
    return looksWhole ? (value as RunRecord) : undefined;
  } catch {
    return undefined;
  }
}
