import { lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { posix } from 'node:path';
import { locateSelf } from './dood/detect-self.js';
import { isWithin } from './dood/mount-table.js';
import { translatePath, type DaemonSource } from './dood/translate-path.js';
import type { DockerEngine } from './engine/docker-engine.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import type { LocalMount } from '../../api/mount-spec.js';
import type { ParsedRunOptions } from '../../api/options.js';
import type { ResolvedMount } from '../../api/run-result.js';

// The one place that decides how the daemon's socket is kept from tools (the threat model: a
// tool that reaches it owns the host). The socket is found from the engine, wherever it listens
// and under whatever name, never by a fixed name.

/** The engine's socket: where we reach it, what it is, and where the daemon sees it. */
export interface DaemonSocket {
  /** As we reach it, symlinks resolved (`/var/run/docker.sock` → `/run/docker.sock`). */
  localPath: string;
  /** Device and inode: the socket under another name (a hard link, a bind mount) is still it. */
  dev: number;
  ino: number;
  /** Its group: whoever has it may use the socket. */
  gid: number;
  /**
   * Where the daemon sees it, comparable with the bind sources and volumes of a run's mounts:
   * our own path on the daemon's host, the host path or volume behind it in DooD, or nothing
   * when no mount of ours carries it (then the daemon cannot hand it to a tool by path).
   */
  daemonSide: DaemonSource[];
  /** True when bind sources are paths of our own filesystem (same host), so they can be realpath'd. */
  sameFilesystem: boolean;
}

/** What a run needs to keep the socket from its tool. */
export interface SocketGuard {
  /** Container paths to cover with a read-only `/dev/null` (see {@link socketMasks}). */
  masks: string[];
  /** The socket's group, never to be passed on in `GroupAdd`; undefined when none is known or exposing is asked for. */
  socketGid: number | undefined;
}

/**
 * For one run: refuses a mount that is the socket itself (an {@link InvalidInputError}), and
 * says which container paths to mask and which group to withhold. With `exposeDaemonSocket`
 * nothing is refused, masked or withheld.
 */
export async function daemonSocketGuard(
  engine: DockerEngine,
  mounts: readonly ResolvedMount[],
  options: Pick<ParsedRunOptions, 'exposeDaemonSocket'>,
): Promise<SocketGuard> {
  if (options.exposeDaemonSocket) return { masks: [], socketGid: undefined };
  const socket = await locateDaemonSocket(engine);
  if (!socket) return { masks: [], socketGid: undefined };
  const sourcesAsDaemon = socket.sameFilesystem ? mounts.map(withRealSource) : mounts;
  refuseSocketMounts(socket, sourcesAsDaemon, engine.endpoint);
  return { masks: socketMasks(socket, sourcesAsDaemon), socketGid: socket.gid };
}

/**
 * The engine's socket, or undefined when we reach the daemon over the network (tcp://, ssh://):
 * then its socket, if any, is not a file we can name.
 */
export async function locateDaemonSocket(engine: DockerEngine): Promise<DaemonSocket | undefined> {
  const path = engine.target.socketPath;
  if (!path) return undefined;
  let stats: Stats;
  let localPath: string;
  try {
    stats = statSync(path);
    localPath = realpathSync(path);
  } catch {
    return undefined; // a socket we cannot see is one no mount of ours can carry either
  }
  const identity = { localPath, dev: stats.dev, ino: stats.ino, gid: stats.gid };
  const self = await locateSelf(engine).catch(() => undefined);
  if (self?.kind !== 'container') {
    return { ...identity, daemonSide: [{ type: 'bind', path: localPath }], sameFilesystem: true };
  }
  // DooD: the daemon names it by the host path (or volume) behind the mount that carries it here.
  try {
    const { source } = translatePath(self.mounts, localPath, { write: false, subpathSupported: true, containerId: self.containerId });
    return { ...identity, daemonSide: [source], sameFilesystem: false };
  } catch {
    return { ...identity, daemonSide: [], sameFilesystem: false };
  }
}

/**
 * Container paths where the tool would find the socket: for every mount whose daemon-side source
 * holds it, the mount's target plus the rest of the socket's path; and, by identity, wherever the
 * mount's local view shows the socket under a tail of its path (in DooD the host may spell a
 * directory differently, e.g. `/run` for `/var/run`). Masking one is a read-only bind of
 * `/dev/null` on top, which also works inside a read-only parent mount.
 */
export function socketMasks(
  socket: DaemonSocket,
  mounts: readonly ResolvedMount[],
  isSocketAt: (path: string) => boolean = isTheSocket(socket, lstatSync),
): string[] {
  const masks = new Set<string>();
  for (const mount of mounts) {
    for (const where of socket.daemonSide) {
      const rest = restBelow(mount.source, where);
      if (rest) masks.add(posix.join(mount.target, rest));
    }
    if (mount.source.type === 'copy') continue;
    for (const tail of tails(socket)) {
      if (isSocketAt(posix.join(mount.localPath, tail))) masks.add(posix.join(mount.target, tail));
    }
  }
  // A mount of the caller's own at that very path already hides the socket (and Docker refuses two at one target).
  for (const mount of mounts) masks.delete(mount.target);
  return [...masks].sort();
}

/**
 * Before anything starts (synchronous, for `runTool`'s validation): a mount that is the engine's
 * socket — by identity, so under any name or through a symlink or hard link — is refused with
 * its field, unless `exposeDaemonSocket`. {@link daemonSocketGuard} checks again as the daemon
 * will see the mounts.
 */
export function refuseDaemonSocketMounts(
  engine: DockerEngine,
  mounts: readonly LocalMount[],
  options: Pick<ParsedRunOptions, 'exposeDaemonSocket'>,
): void {
  const path = engine.target.socketPath;
  if (options.exposeDaemonSocket || !path) return;
  let socket: Stats;
  try {
    socket = statSync(path);
  } catch {
    return;
  }
  const isIt = isTheSocket({ dev: socket.dev, ino: socket.ino }, statSync);
  mounts.forEach((mount, i) => {
    if (isIt(mount.path)) throw socketMountRefused(`mounts[${i}]`, mount.path, engine.endpoint);
  });
}

/** A mount that is the socket itself is refused: forwarding it must be asked for by name. */
export function refuseSocketMounts(
  socket: DaemonSocket,
  mounts: readonly ResolvedMount[],
  endpoint: string,
  isSocketAt: (path: string) => boolean = isTheSocket(socket, statSync),
): void {
  for (const mount of mounts) {
    if (mount.source.type === 'copy') continue;
    const isIt = socket.daemonSide.some((where) => restBelow(mount.source, where) === '') || isSocketAt(mount.localPath);
    if (isIt) throw socketMountRefused('mounts', mount.localPath, endpoint);
  }
}

function socketMountRefused(field: string, path: string, endpoint: string): InvalidInputError {
  return new InvalidInputError(
    field,
    path,
    `is the daemon's socket (${endpoint}); a tool that can reach it controls the daemon and with it the host. ` +
      'Pass exposeDaemonSocket: true only for a tool you trust to drive the daemon',
  );
}

/**
 * True when `path` is a unix socket or cannot be examined. Used for our own mounts below a
 * mounted directory (DooD): any socket — this daemon's under whatever name, or another's — is
 * not handed on implicitly, and what we cannot look at we cannot vouch for.
 */
export function isSocketOrUnknown(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch {
    return true;
  }
}

/**
 * The socket's path below `source`, when the daemon-side source holds the socket's daemon-side
 * location: `''` when it is the socket, undefined when it does not hold it.
 */
function restBelow(source: ResolvedMount['source'], where: DaemonSource): string | undefined {
  if (source.type === 'bind' && where.type === 'bind') {
    if (!isWithin(where.path, source.path)) return undefined;
    return source.path === '/' ? where.path.slice(1) : where.path.slice(source.path.length + 1);
  }
  if (source.type === 'volume' && where.type === 'volume' && source.name === where.name) {
    const inside = where.subpath ?? '';
    const base = source.subpath ?? '';
    if (base === '') return inside;
    if (!isWithin(`/${inside}`, `/${base}`)) return undefined;
    return inside.slice(base.length + 1);
  }
  return undefined;
}

/** `docker.sock`, `run/docker.sock`, … for each name the socket has on either side. */
function tails(socket: DaemonSocket): string[] {
  const paths = [socket.localPath, ...socket.daemonSide.flatMap((d) => (d.type === 'bind' ? [d.path] : []))];
  const out = new Set<string>();
  for (const path of paths) {
    const parts = path.split('/').filter(Boolean);
    for (let i = parts.length - 1; i >= 0; i--) out.add(parts.slice(i).join('/'));
  }
  return [...out];
}

/**
 * Whether a path is the socket, by device and inode. A mount source is followed (`statSync`: the
 * daemon follows links in it); a mask is only placed on the socket itself (`lstatSync`: a link
 * would be followed inside the tool's filesystem, somewhere else).
 */
function isTheSocket(socket: Pick<DaemonSocket, 'dev' | 'ino'>, stat: (path: string) => Stats): (path: string) => boolean {
  return (path) => {
    try {
      const stats = stat(path);
      return stats.isSocket() && stats.dev === socket.dev && stats.ino === socket.ino;
    } catch {
      return false;
    }
  };
}

/** Same host: the daemon resolves symlinks in a bind source, so compare real paths. */
function withRealSource(mount: ResolvedMount): ResolvedMount {
  if (mount.source.type !== 'bind') return mount;
  try {
    return { ...mount, source: { type: 'bind', path: realpathSync(mount.source.path) } };
  } catch {
    return mount;
  }
}
