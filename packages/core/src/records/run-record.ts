import type { ResolvedMount } from '../api/run-result.js';

/** Bumped when a field changes meaning; readers skip lines of versions they do not know. */
export const RECORD_VERSION = 1;

/** A file or directory a run read or wrote, as its record keeps it. */
export interface RecordedFile {
  /** Path in the caller's filesystem. */
  path: string;
  kind: 'file' | 'directory';
  /** Bytes (files only). */
  size?: number;
  /** Milliseconds since the epoch. */
  mtimeMs?: number;
  /** Hex SHA-256 of the content, when the cache hashed it. */
  sha256?: string;
}

/** A mount of the run, both sides: the caller's path and what the daemon mounted. */
export interface RecordedMount {
  localPath: string;
  /** Path inside the tool container. */
  target: string;
  /** Daemon-side source; absent when the run failed before its mounts were resolved. */
  source?: ResolvedMount['source'];
  readOnly: boolean;
}

/** How a call's standard streams were connected (values and bytes are never recorded). */
export interface RecordedStdio {
  /** Nothing; text given in the call; a file; a Node stream; another run's stdout. */
  stdin: 'none' | 'text' | 'stream' | 'run' | { file: string };
  stdout: 'capture' | 'ignore' | 'stream' | { file: string };
  stderr: 'capture' | 'ignore' | 'stream' | { file: string };
}

/**
 * What one run (one attempt, when retried) left behind: who ran what, where, on which image,
 * with which files, when, and how it ended. Never an environment variable's value (secrets):
 * only the names.
 */
export interface RunRecord {
  version: typeof RECORD_VERSION;
  /** Unique id of this record (a random UUID). */
  id: string;
  /** The process's session id (`session.id`, also the label on its containers). */
  session: string;
  pid: number;
  host: string;
  /** 1 for the first attempt; retries get one record each. */
  attempt: number;
  /** The image as the caller named it. */
  image: string;
  /** The image id (content digest) that ran, when known. */
  imageId?: string;
  args: string[];
  entrypoint?: string | string[];
  /** Names of the variables set with `options.env` (values are never recorded). */
  envNames: string[];
  cwd?: string;
  /** The `user` option as given: `auto`, `image` or `uid[:gid]`. */
  userMode: string;
  /** The `uid:gid` the tool ran as (or `image`), when known. */
  user?: string;
  /** The daemon's endpoint, e.g. `unix:///var/run/docker.sock`. */
  engine: string;
  mounts: RecordedMount[];
  /** How its standard streams were connected (absent in records written before it was kept). */
  stdio?: RecordedStdio;
  /** The `cpus` and `memory` limits it ran with, when set. */
  resources?: { cpus?: number; memory?: number | string };
  /** When the call started and settled (ISO 8601); a cache hit spans only the lookup. */
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  exitCode?: number;
  /** True when the call resolved with a successful result. */
  succeeded: boolean;
  failed: boolean;
  killed: boolean;
  oomKilled: boolean;
  timedOut: boolean;
  canceled: boolean;
  /** The short error message of a failed call. */
  error?: string;
  /** True when served from the result cache: no container ran. */
  cached: boolean;
  /**
   * The cache's key and verdict, when the call used the cache; `uncacheable` says why it was not
   * looked up (then `key` is empty) or why its result was not stored.
   */
  cache?: { key: string; hit: boolean; inputMode: 'stat' | 'content'; uncacheable?: string };
  /**
   * Files the run read: the cache's fingerprints (every file under its read-only mounts, and the
   * files in its writable mounts that were there before and that it left alone), else the
   * read-only mounts and a stdin file.
   */
  inputs: RecordedFile[];
  /** Files the run wrote: the cache's (hashed, `{ file }` sinks included), else the writable mounts and `{ file }` sinks. */
  outputs: RecordedFile[];
  /** The local account that started the run. */
  agent?: { user: string; uid: number };
}
