import { z } from 'zod';
import { parseOrThrow } from '../errors/invalid-input-error.js';
import { readJournals } from './read-journal.js';
import { recordsDir, recordsOfThisProcess } from './record-journal.js';
import type { RunRecord } from './run-record.js';

const RunRecordsOptionsSchema = z
  .object({
    /** Every session's records on disk (`<TOOLDOCK_HOME>/records/`), not only this process's. */
    all: z.boolean().optional(),
    /** Records of every session that started at or after this time (a Date, ISO string or epoch ms). */
    since: z
      .union([z.date(), z.string(), z.number()], { message: 'must be a Date, an ISO 8601 string or milliseconds since the epoch' })
      .transform((value, ctx) => {
        const date = value instanceof Date ? value : new Date(value);
        if (Number.isNaN(date.getTime())) ctx.addIssue({ code: 'custom', message: 'must be a valid date, e.g. "2026-11-28T09:00:00Z"' });
        return date;
      })
      .optional(),
  })
  .strict();

/** Options of {@link runRecords}. */
export type RunRecordsOptions = z.input<typeof RunRecordsOptionsSchema>;

/**
 * The run records: one per run (per attempt when retried), cached or not, success or failure —
 * image and digest, argv, env names, mounts (both sides), user, engine, times, exit, cache
 * key and hit, input and output files. By default this process's; `{ all: true }` or
 * `{ since }` also reads earlier sessions from `<TOOLDOCK_HOME>/records/`. Oldest first.
 * Invalid options throw an `InvalidInputError`.
 *
 * @example
 * ```ts
 * await runTool(image, ['samtools', 'flagstat', '/data/s1.bam'], ['/data']);
 * const [record] = runRecords();
 * console.log(record.imageId, record.exitCode, record.inputs);
 * runRecords({ since: '2026-11-01' }); // every session since then
 * ```
 */
export function runRecords(options: RunRecordsOptions = {}): RunRecord[] {
  const parsed = parseOrThrow(RunRecordsOptionsSchema, options, 'options');
  const own = recordsOfThisProcess();
  if (!parsed.all && !parsed.since) return copies(own);
  // Our own records may still be on their way to disk: merge, by id.
  const byId = new Map(readJournals(recordsDir()).map((r) => [r.id, r]));
  for (const record of own) byId.set(record.id, record);
  const since = parsed.since?.getTime();
  const chosen = [...byId.values()].filter((r) => since === undefined || Date.parse(r.startedAt) >= since);
  return copies(chosen.sort((a, b) => a.startedAt.localeCompare(b.startedAt)));
}

/** Callers get their own copies: the process's list stays as recorded. */
function copies(records: readonly RunRecord[]): RunRecord[] {
  return records.map((r) => structuredClone(r));
}
