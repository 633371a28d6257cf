import type { OwnMount } from './mount-table.js';
import { TooldockError } from '../../../errors/tooldock-error.js';

/**
 * A path the daemon cannot see the way we do: not under any mount of our container, on a
 * tmpfs, or read-only when writing was asked. Passing it through would make the daemon create
 * an empty root-owned directory on the host instead, so tooldock refuses, naming the path and
 * listing the mounts that would work.
 *
 * @example
 * ```ts
 * try { await resolveHostPath('/home/jovyan/scratch'); }
 * catch (error) { if (error instanceof PathNotShareableError) console.log(error.mounts); }
 * ```
 */
export class PathNotShareableError extends TooldockError {
  readonly code = 'ERR_TOOLDOCK_PATH_NOT_SHAREABLE';
  override readonly name = 'PathNotShareableError';
  constructor(
    readonly path: string,
    readonly reason: string,
    readonly mounts: OwnMount[],
    readonly containerId?: string,
  ) {
    super(
      `${path} ${reason}.\n` +
        describeMounts(mounts, containerId) +
        '\nFix: put the data under one of these mounts, or add a mount for it to this container ' +
        '(compose: volumes: ["/host/dir:/container/dir"]) and recreate it.',
    );
  }
}

function describeMounts(mounts: OwnMount[], containerId?: string): string {
  const usable = mounts.filter((m) => m.type !== 'tmpfs' && !m.destination.endsWith('docker.sock'));
  const head = `Paths the daemon can see${containerId ? ` (mounts of container ${containerId.slice(0, 12)})` : ''}:`;
  if (usable.length === 0) return `${head} none — this container has no bind mounts or volumes.`;
  return [head, ...usable.map((m) => `  ${m.destination}  ← ${m.type} ${m.name ?? m.source}${m.rw ? '' : ' (read-only)'}`)].join('\n');
}
