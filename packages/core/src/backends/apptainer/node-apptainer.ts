import type { ParsedRunOptions } from '../../api/options.js';
import type { ResolvedMount } from '../../api/run-result.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { toolCommand } from '../charliecloud/charliecloud-backend.js';
import type { ReadyImage } from '../image-store/image-store.js';
import { apptainerExecCommand, splitByBind } from './apptainer-command.js';
import { spoolMasks } from '../slurm/node-plan.js';
import { bindSource, hostBinds } from '../host-binds.js';

/**
 * A Slurm node's run line for `runtime: 'apptainer'` — DESIGNED, NOT RUN (Apptainer cannot be
 * installed where this was built; docs/clusters.md). The store's image directory is run as an
 * Apptainer sandbox, so one store (converted from a daemon, a `docker save` archive or a registry,
 * with no Apptainer on the submitting host) serves both daemonless runtimes. `apptainer` is found
 * on the job's PATH, as a site's module system puts it there.
 */
export function nodeApptainerExec(
  image: ReadyImage,
  args: string[],
  mounts: ResolvedMount[],
  options: ParsedRunOptions,
  files: { envFile: string; spoolRoot: string; emptyDir: string },
): string[] {
  const masks = spoolMasks(mounts, files.spoolRoot);
  return apptainerExecCommand({
    image: image.dir,
    mounts: hostBinds(mounts),
    ...(masks.length ? { masks: { paths: masks, empty: files.emptyDir } } : {}),
    network: options.network as 'none' | 'host',
    cwd: options.cwd ?? image.workingDir ?? '/',
    envFile: files.envFile,
    command: toolCommand(image, args, options.entrypoint),
    gpus: false,
  });
}

/** Refuses, before the run starts, a mount path Apptainer's `--bind` would split ({@link splitByBind}). */
export function refuseApptainerMounts(mounts: ResolvedMount[]): void {
  for (const m of mounts) {
    const source = bindSource(m);
    for (const path of [source, m.target]) {
      if (splitByBind(path))
        throw new InvalidInputError('mounts', path, 'a path Apptainer can bind: without ":" or "," (its --bind splits there); rename or link it');
    }
  }
}
