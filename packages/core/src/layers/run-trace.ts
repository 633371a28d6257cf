/**
 * What the layers of one call learn about it, for the layers outside them (the run record reads
 * what the cache found). One trace per attempt; retries start a fresh one.
 */
export interface RunTrace {
  /** 1 for the first attempt. */
  attempt: number;
  /** Set by the cache layer when the call used the cache (hit or miss). */
  cache?: CacheTrace;
}

/** A file the run read or wrote, as the record keeps it. */
export interface FileFingerprint {
  /** Path in the caller's filesystem. */
  path: string;
  size: number;
  /** Milliseconds since the epoch. */
  mtimeMs?: number;
  /** Hex SHA-256 of the content, when it was hashed. */
  sha256?: string;
}

export interface CacheTrace {
  key: string;
  hit: boolean;
  /** How inputs were fingerprinted. */
  inputMode: 'stat' | 'content';
  /** Files under its read-only mounts, then those in its writable mounts that it left alone. */
  inputs: FileFingerprint[];
  /** Files the run created or changed in its writable mounts (restored ones on a hit). */
  outputs: FileFingerprint[];
  /** The stdout and stderr bytes as stored (a `{ file }` sink's content): size and hash. */
  stdout?: { size: number; sha256: string };
  stderr?: { size: number; sha256: string };
  /** Why the call was not looked up (then `key` is empty), or why its result was not stored. */
  uncacheable?: string;
}
