import { z } from 'zod';
import { RunEngineSchema } from '../api/options.js';
import type { Engine } from '../backends/engine.js';
import { defaultEngine, kindOf } from '../backends/registry.js';
import { parseOrThrow } from '../errors/invalid-input-error.js';
import type { DoctorReport } from './doctor-report.js';

export type { DoctorFinding, DoctorReport } from './doctor-report.js';

const DoctorOptionsSchema = z.object({ engine: RunEngineSchema.optional(), mounts: z.array(z.string()).optional() }).strict();

/**
 * Checks the set-up the way the DooD guides' troubleshooting sections do: which daemon, its
 * version and user mapping, whether we run in a container and which, our mounts and which can be
 * shared with tools, the socket's owner and mode against our groups — with a fix for each problem.
 * For a Slurm engine (`connect({ slurm })`): Slurm's version, partitions and free CPUs, the
 * nodes' runtime (a one-task-per-node probe), and whether `mounts` are on a shared filesystem.
 * Each runtime's checks are its own (its kind's `doctor`, backends/engine-kind.ts).
 *
 * @example
 * ```ts
 * const report = await doctor();
 * console.log(report.text);
 * ```
 */
export function doctor(options: { engine?: Engine; mounts?: string[] } = {}): Promise<DoctorReport> {
  // Checked synchronously, like runTool's options: a typo throws before anything is probed.
  const parsed = parseOrThrow(DoctorOptionsSchema, options, 'options');
  const engine = parsed.engine ?? defaultEngine();
  return kindOf(engine).doctor(engine, parsed.mounts ?? []);
}
