import { posix } from 'node:path';
import { isWithin, type OwnMount } from './mount-table.js';
import { PathNotShareableError } from './path-not-shareable-error.js';

/** What the daemon must mount to show the tool one of our paths. */
export type DaemonSource = { type: 'bind'; path: string } | { type: 'volume'; name: string; subpath?: string };

export interface Translation {
  source: DaemonSource;
  /** The mount of ours the path lives on. */
  via: OwnMount;
  /**
   * Set when only the whole volume can be mounted (API < 1.45 has no `VolumeOptions.Subpath`):
   * it must then sit at its own destination, where the path keeps its meaning.
   */
  wholeVolumeAt?: string;
}

export interface TranslateOptions {
  write: boolean;
  /** The daemon's API is ≥ 1.45 (volume subpaths). */
  subpathSupported: boolean;
  containerId?: string;
}

/** The deepest of our mounts holding `path` (longest destination on a `/` boundary). */
export function mountHolding(table: OwnMount[], path: string): OwnMount | undefined {
  return table.filter((m) => isWithin(path, m.destination)).sort((a, b) => b.destination.length - a.destination.length)[0];
}

/** Our mounts strictly below `dir` (to re-add when `dir` itself is mounted for a tool). */
export function mountsBelow(table: OwnMount[], dir: string): OwnMount[] {
  return table.filter((m) => m.destination !== dir && isWithin(m.destination, dir));
}

/**
 * Translates a real (symlink-free) path of ours into what the daemon sees. Pure: the mount
 * table comes from inspecting our own container.
 */
export function translatePath(table: OwnMount[], path: string, options: TranslateOptions): Translation {
  const mount = mountHolding(table, path);
  const fail = (reason: string) => new PathNotShareableError(path, reason, table, options.containerId);
  if (!mount) throw fail('is not under any mount of this container, so the daemon cannot see it');
  if (mount.type === 'tmpfs' || !mount.source) {
    throw fail(
      `is on ${mount.type === 'tmpfs' ? 'a tmpfs' : 'a mount with no host source'} (${mount.destination}), which exists only inside this container`,
    );
  }
  if (options.write && !mount.rw) throw fail(`is on a read-only mount (${mount.destination}) but the tool was asked to write there`);
  const rest = mount.destination === '/' ? path.slice(1) : path.slice(mount.destination.length + 1);
  if (mount.type === 'volume' && mount.name) {
    if (!rest) return { source: { type: 'volume', name: mount.name }, via: mount };
    if (options.subpathSupported) return { source: { type: 'volume', name: mount.name, subpath: rest }, via: mount };
    return { source: { type: 'volume', name: mount.name }, via: mount, wholeVolumeAt: mount.destination };
  }
  return { source: { type: 'bind', path: rest ? posix.join(mount.source, rest) : mount.source }, via: mount };
}
