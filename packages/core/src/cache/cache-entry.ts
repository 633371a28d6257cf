import type { FileFingerprint } from '../layers/run-trace.js';
import type { RunResult } from '../api/run-result.js';

/** A stored blob: its content's SHA-256 (also its name in the store) and size. */
export interface BlobRef {
  sha256: string;
  size: number;
}

/** A file the run created or changed in a writable mount. */
export interface StoredOutput extends BlobRef {
  /** Index of the writable mount in the call's mounts. */
  mount: number;
  /** Relative to the mount's root (`''` for a single-file mount). */
  rel: string;
  mode: number;
  /** Restored with this mtime, so that size + mtime still match what a later call's key saw. */
  mtimeMs: number;
}

/** A file that was in a writable mount before the run and that the run left alone: a possible input. */
export interface KeptFile {
  mount: number;
  rel: string;
  size: number;
  mtimeMs: number;
  sha256?: string;
  /** Its mtime fell in the clock tick the entry was recorded in: checked by content (racy-clock.ts). */
  racy?: true;
}

/** A read-only input whose stat is not to be trusted (racy-clock.ts): its content when stored. */
export interface RacyInput {
  mount: number;
  rel: string;
  sha256: string;
}

/** The result as stored: dates as ISO strings, captured output as blobs. */
export type StoredResult = Omit<RunResult, 'stdout' | 'stderr' | 'startedAt' | 'finishedAt' | 'cached' | 'notes'> & {
  startedAt: string;
  finishedAt: string;
};

/** One cached call, `entries/<key[0..2]>/<key>.json`. */
export interface CacheEntry {
  version: 1;
  key: string;
  createdAt: string;
  result: StoredResult;
  stdout: BlobRef;
  stderr: BlobRef;
  /** Created directories (relative, per writable mount), made again when missing. */
  directories: Array<{ mount: number; rel: string }>;
  outputs: StoredOutput[];
  /** Checked on a hit: a changed or missing one means the call may read something new. */
  kept: KeptFile[];
  /** What the key saw, for the run record. */
  inputs: FileFingerprint[];
  /** Stat mode: inputs written in the tick the entry was recorded in, checked by content on a hit. */
  racyInputs?: RacyInput[];
}

export const ENTRY_VERSION = 1;
