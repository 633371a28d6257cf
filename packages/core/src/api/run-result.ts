/** A mount as the daemon sees it. */
export interface ResolvedMount {
  /** Path inside the tool container. */
  target: string;
  /**
   * Daemon-side source: a host path (bind), a named volume, or `copy` when the daemon shares no
   * filesystem with us and the contents are copied in (and writable ones back out).
   */
  source: { type: 'bind'; path: string } | { type: 'volume'; name: string; subpath?: string } | { type: 'copy' };
  readOnly: boolean;
  /** The path as the caller named it (in the caller's own filesystem). */
  localPath: string;
}

/** Captured output: a string by default, a Buffer with `encoding: "buffer"`, absent when not captured. */
export type Captured = string | Buffer | undefined;

/** What a finished run reports. */
export interface RunResult {
  image: string;
  /** Image id (content digest) that actually ran. */
  imageId: string;
  args: string[];
  /** The command line, for messages and logs. */
  command: string;
  containerId: string;
  exitCode: number;
  /** False on success. True only with `reject: false` (otherwise a failure rejects with a ToolError). */
  failed: boolean;
  /** Killed by a signal: our timeout or cancel, the OOM killer, or someone else. */
  killed: boolean;
  /**
   * Killed because the memory limit was exceeded (`State.OOMKilled`). Exit 137 alone is not OOM.
   * The daemon misses a kill in the tool's first moments, before containerd watches the cgroup (docs/retries.md).
   */
  oomKilled: boolean;
  timedOut: boolean;
  canceled: boolean;
  /** The signal behind an exit code above 128 (137 → `SIGKILL`). */
  signal: string | undefined;
  stdout: Captured;
  stderr: Captured;
  durationMs: number;
  startedAt: Date;
  finishedAt: Date;
  /** Mounts as resolved: container path → daemon-side source. */
  mounts: ResolvedMount[];
  /** The `uid:gid` the tool ran as, or `"image"` for the image's own USER. */
  user: string;
  /** Things the caller should know, e.g. captured output that was truncated. */
  notes: string[];
  /** How many attempts the run took: 1 unless `retry` tried again (docs/retries.md). */
  attempts: number;
  /** True when served from the result cache (`options.cache`): no container ran for this call. */
  cached: boolean;
}
