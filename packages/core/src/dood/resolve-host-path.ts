import { connect, type DockerEngine } from '../engine/docker-engine.js';
import { locateSelf } from './detect-self.js';
import { supportsSubpath } from './dood-resolver.js';
import { realPath } from './real-path.js';
import { translatePath, type DaemonSource } from './translate-path.js';

/**
 * What the daemon sees for one of our paths: the translation `runTool` applies to every mount.
 * On the daemon's host, the (symlink-resolved) path itself; inside a container, the host path or
 * named volume behind it. Throws a {@link PathNotShareableError} for paths the daemon cannot see.
 *
 * @example
 * ```ts
 * // In a JupyterLab container started with -v /srv/project:/home/jovyan/work
 * await resolveHostPath('/home/jovyan/work/reads.fq');
 * // → { type: 'bind', path: '/srv/project/reads.fq' }
 * ```
 */
export async function resolveHostPath(path: string, options: { write?: boolean; engine?: DockerEngine } = {}): Promise<DaemonSource> {
  const engine = options.engine ?? connect();
  const self = await locateSelf(engine);
  const real = realPath(path);
  if (self.kind === 'host') return { type: 'bind', path: real };
  if (self.kind === 'unverified-container') throw new Error(`cannot translate ${path}: this process runs in a container, but ${self.reason}`);
  return translatePath(self.mounts, real, {
    write: options.write ?? false, subpathSupported: await supportsSubpath(engine), containerId: self.containerId,
  }).source;
}
