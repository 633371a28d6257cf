import type { LocalMount } from '../../api/mount-spec.js';
import type { ParsedRunOptions } from '../../api/options.js';
import { refuseApptainerMounts } from '../apptainer/node-apptainer.js';
import { refuseOnNodes } from '../charliecloud/node-charliecloud.js';
import { isStoreRuntime, type StoreRuntime } from './node-runtime.js';
import { slurmMounts } from './slurm-mounts.js';

/**
 * What a daemonless runtime on the nodes cannot give a run, refused when the run is validated —
 * one InvalidInputError thrown by `runTool` itself, as every other bad input is — not once the run
 * started (it would arrive as a ToolError, the cause of a failed run).
 */
export function refuseOnStoreNodes(runtime: string, mounts: readonly LocalMount[], options: ParsedRunOptions): void {
  if (!isStoreRuntime(runtime)) return;
  refuseOnNodes(options, RUNTIME_NAMES[runtime]);
  if (runtime === 'apptainer') refuseApptainerMounts(slurmMounts(mounts));
}

const RUNTIME_NAMES: Record<StoreRuntime, 'Charliecloud' | 'Apptainer'> = { charliecloud: 'Charliecloud', apptainer: 'Apptainer' };
