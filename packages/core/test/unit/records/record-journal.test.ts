import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '#test-support/temp-dir.js';
import { journalFile, keepRecord, recordsDir, recordsOfThisProcess } from '../../../src/records/record-journal.js';
import { session } from '../../../src/backends/docker/process-session.js';
import { recordOf } from './fixtures.js';

describe('the record journal', () => {
  it('appends whole lines concurrently, and a long session reads its older records back from disk', async () => {
    process.env.TOOLDOCK_HOME = tempDir('journal-home');
    const start = Date.parse('2026-11-28T09:00:00.000Z');
    const records = Array.from({ length: 1100 }, (_, i) => recordOf({ id: `r-${i}`, startedAt: new Date(start + i * 1000).toISOString() }));
    // All at once, as concurrent runs do: the appends still land one whole line each.
    await Promise.all(records.map((r) => keepRecord(r)));

    const lines = readFileSync(journalFile(recordsDir(), session.id), 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(records.map((r) => r.id));
    expect(recordsDir()).toBe(join(process.env.TOOLDOCK_HOME!, 'records'));
    // More than the in-memory bound: the oldest come back from the journal, nothing is lost.
    expect(recordsOfThisProcess().map((r) => r.id)).toEqual(records.map((r) => r.id));
  });
});
