import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { connectDocker, type DockerEngine } from '../engine/docker-engine.js';
import { parseOrThrow } from '../../../errors/invalid-input-error.js';
import { EngineSchema } from '../../../api/options.js';
import { locateSelf } from './detect-self.js';
import { supportsSubpath } from './dood-resolver.js';
import { realPath } from './real-path.js';
import { translatePath, type DaemonSource } from './translate-path.js';

// runTool only mounts absolute paths, so that is all this translation is asked for; a typo such
// as `{ writable: true }` must not silently answer the read-only question.
const PathSchema = z
  .string({ error: 'must be an absolute path (a string)' })
  .refine((p) => isAbsolute(p), 'must be an absolute path (relative paths mean different things in each container)');
const OptionsSchema = z.object({ write: z.boolean().optional(), engine: EngineSchema.optional() }).strict();

/**
 * What the daemon sees for one of our paths: the translation `runTool` applies to every mount.
 * On the daemon's host, the (symlink-resolved) path itself; inside a container, the host path or
 * named volume behind it. Throws a {@link PathNotShareableError} for paths the daemon cannot see,
 * and an `InvalidInputError` at once for a path or option that is not valid.
 *
 * @example
 * ```ts
 * // In a JupyterLab container started with -v /srv/project:/home/jovyan/work
 * await resolveHostPath('/home/jovyan/work/reads.fq');
 * // → { type: 'bind', path: '/srv/project/reads.fq' }
 * ```
 */
export function resolveHostPath(path: string, options: { write?: boolean; engine?: DockerEngine } = {}): Promise<DaemonSource> {
  // Checked synchronously, like runTool's arguments: nothing is probed for a bad call.
  parseOrThrow(PathSchema, path, 'path');
  const parsed = parseOrThrow(OptionsSchema, options, 'options');
  return translate(path, parsed.write ?? false, parsed.engine ?? connectDocker());
}

async function translate(path: string, write: boolean, engine: DockerEngine): Promise<DaemonSource> {
  const self = await locateSelf(engine);
  const real = realPath(path);
  if (self.kind === 'host') return { type: 'bind', path: real };
  if (self.kind === 'unverified-container') throw new Error(`cannot translate ${path}: this process runs in a container, but ${self.reason}`);
  return translatePath(self.mounts, real, {
    write,
    subpathSupported: await supportsSubpath(engine),
    containerId: self.containerId,
  }).source;
}
