import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * tooldock's environment switches, read here and nowhere else. Each is read when it is needed,
 * not at import: a notebook (or a test) may set one after loading tooldock. The docker CLI's own
 * variables (DOCKER_HOST, DOCKER_CONTEXT, …) are read where the daemon is chosen (engine/).
 */

/**
 * `TOOLDOCK_TRANSFER`: how files reach tools, when detection guesses wrong — `copy` for a remote
 * daemon that happens to share our hostname, `mount` for one that sees our paths (a VM with
 * shared folders). Anything else: detected (backends/docker/transfer/transfer-decision.ts).
 */
export function transferSwitch(): 'copy' | 'mount' | undefined {
  const value = process.env.TOOLDOCK_TRANSFER;
  return value === 'copy' || value === 'mount' ? value : undefined;
}

/**
 * `TOOLDOCK_REAPER=0`: no watchdog process and no sibling reaper container, for sandboxes that
 * forbid detached processes or extra containers (the caller then cleans up, e.g. cleanupOrphans()).
 */
export function reaperEnabled(): boolean {
  return process.env.TOOLDOCK_REAPER !== '0';
}

/**
 * `TOOLDOCK_SELF_CONTAINER`: our own container's id, for when it cannot be read from /proc
 * (unusual cgroup layouts); it is still verified against the daemon.
 */
export function selfContainerOverride(): string | undefined {
  return process.env.TOOLDOCK_SELF_CONTAINER || undefined;
}

/**
 * `TOOLDOCK_SIGNAL_HANDLERS=0`: no SIGINT/SIGTERM/SIGHUP handlers, for programs that handle
 * signals themselves and call removeLiveContainers().
 */
export function signalHandlersEnabled(): boolean {
  return process.env.TOOLDOCK_SIGNAL_HANDLERS !== '0';
}

/**
 * `TOOLDOCK_CACHE`: the result cache for every call that does not say otherwise (`options.cache`,
 * `configure({ cache })` win): `1`/`true` → {@link defaultCacheDir}, an absolute path → that
 * directory, `0`/`false`/unset → off.
 */
export function cacheSwitch(): string | undefined {
  const value = process.env.TOOLDOCK_CACHE?.trim();
  if (!value || value === '0' || value === 'false') return undefined;
  return value === '1' || value === 'true' ? defaultCacheDir() : value;
}

/** Where the result cache lives unless a call names another directory: `<TOOLDOCK_HOME>/cache`. */
export function defaultCacheDir(): string {
  return join(toolDockHome(), 'cache');
}

/**
 * `TOOLDOCK_HOME`: where tooldock keeps state across sessions (the result cache, run records).
 * Default: `$XDG_CACHE_HOME/tooldock`, else `~/.cache/tooldock`.
 */
export function toolDockHome(): string {
  if (process.env.TOOLDOCK_HOME) return process.env.TOOLDOCK_HOME;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'tooldock');
}
