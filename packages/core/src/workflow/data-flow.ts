import type { RecordedFile, RunRecord } from '../records/run-record.js';
import { sameFile } from './file-identity.js';

/** A file a step wrote, under its tool's output id. */
export interface Produced {
  step: string;
  output: string;
  file: RecordedFile;
  record: RunRecord;
}

/**
 * The step output a call read this file from: an earlier call (finished before this one started)
 * that wrote the same content — the latest such, as a notebook's later re-run of a cell
 * replaces the earlier one. Undefined: no call produced it (a workflow input).
 */
export function producerOf(file: RecordedFile, consumer: RunRecord, produced: readonly Produced[]): Produced | undefined {
  const started = Date.parse(consumer.startedAt);
  let best: Produced | undefined;
  for (const candidate of produced) {
    if (candidate.record === consumer || Date.parse(candidate.record.finishedAt) > started) continue;
    if (!sameFile(candidate.file, file)) continue;
    if (!best || candidate.record.finishedAt >= best.record.finishedAt) best = candidate;
  }
  return best;
}
