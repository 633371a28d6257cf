import type { LocalMount } from '../../api/mount-spec.js';
import type { ParsedRunOptions } from '../../api/options.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { refuseApptainerMounts } from '../apptainer/node-apptainer.js';
import { refuseOnNodes } from '../charliecloud/node-charliecloud.js';
import { isStoreRuntime, type StoreRuntime } from './node-runtime.js';
import { slurmMounts } from './slurm-mounts.js';

/**
 * What the runtime on the nodes cannot give a run, refused when the run is validated — one
 * InvalidInputError thrown by `runTool` itself, as every other bad input is — not once the run
 * started (it would arrive as a ToolError, the cause of a failed run).
 */
export function refuseOnTheNodes(runtime: string, mounts: readonly LocalMount[], options: ParsedRunOptions): void {
  if (!isStoreRuntime(runtime)) return refuseUnfileableEnv(options);
  refuseOnNodes(options, RUNTIME_NAMES[runtime]);
  if (runtime === 'apptainer') refuseApptainerMounts(slurmMounts(mounts));
}

const RUNTIME_NAMES: Record<StoreRuntime, 'Charliecloud' | 'Apptainer'> = { charliecloud: 'Charliecloud', apptainer: 'Apptainer' };

/**
 * Docker and Podman on a node read the tool's variables from `--env-file` (node-runtime.ts), one
 * `NAME=value` line each, taken literally: a value with a line break (or ending in `\r`, which
 * their line reader drops), or a name with white space or starting with `#`, cannot be a line. On
 * the command line instead, every user of the node could read it — so it is refused.
 */
export function refuseUnfileableEnv(options: Pick<ParsedRunOptions, 'env'>): void {
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (/\s/.test(key) || key.startsWith('#') || value.includes('\n') || value.endsWith('\r'))
      throw new InvalidInputError(
        `options.env.${key}`,
        '(its name or value)',
        'a name without white space or a leading "#", and a value without a line break: on a Slurm node the variables go to the container through a file of lines (a command line would show them to every user of the node)',
      );
  }
}
