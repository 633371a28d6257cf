import { isAbsolute, posix } from 'node:path';
import type { RecordedMount } from '../records/run-record.js';

/** Where a path inside one argv element sits: `--out=/data/x` is `--out=` then the path. */
export interface ArgPath {
  /** What comes before the path in the element (`--out=`), usually empty. */
  before: string;
  /** The path as the tool saw it (in the container). */
  containerPath: string;
  /** The same path in the caller's filesystem. */
  localPath: string;
  /** Whether the mount it sits under was writable. */
  writable: boolean;
}

/**
 * The caller's path for one argv element, when it names something under one of the run's
 * mounts (the deepest mount wins, on a `/` boundary); relative paths count from `cwd`. Anything
 * else (options, regions, read groups, paths inside the image) is not a path of the run's data.
 */
export function argPath(arg: string, mounts: readonly RecordedMount[], cwd: string | undefined): ArgPath | undefined {
  for (const [before, path] of candidates(arg)) {
    const absolute = isAbsolute(path) ? posix.normalize(path) : cwd && path !== '' && !path.startsWith('-') ? posix.join(cwd, path) : undefined;
    if (!absolute) continue;
    const mount = deepestMount(absolute, mounts);
    if (!mount) continue;
    const rest = absolute.slice(mount.target.replace(/\/+$/, '').length);
    return { before, containerPath: absolute, localPath: `${mount.localPath.replace(/\/+$/, '')}${rest}`, writable: !mount.readOnly };
  }
  return undefined;
}

/** The whole element, then what follows its first `=` (`--out=/data/x`). */
function candidates(arg: string): Array<[string, string]> {
  const eq = arg.indexOf('=');
  return eq > 0
    ? [
        ['', arg],
        [arg.slice(0, eq + 1), arg.slice(eq + 1)],
      ]
    : [['', arg]];
}

function deepestMount(path: string, mounts: readonly RecordedMount[]): RecordedMount | undefined {
  let best: RecordedMount | undefined;
  for (const mount of mounts) {
    const target = mount.target.replace(/\/+$/, '') || '/';
    const under = path === target || path.startsWith(target === '/' ? '/' : `${target}/`);
    if (under && (!best || target.length > best.target.replace(/\/+$/, '').length)) best = mount;
  }
  return best;
}
