import { z } from 'zod';
import { RunEngineSchema } from '../api/options.js';
import type { Engine } from '../backends/engine.js';
import { defaultEngine, kindOf } from '../backends/registry.js';
import { parseOrThrow } from '../errors/invalid-input-error.js';
import type { OrphanReport } from './orphan-report.js';

export type { OrphanReport } from './orphan-report.js';

const CleanupOptionsSchema = z.object({ engine: RunEngineSchema.optional() }).strict();

/**
 * Removes containers left by tooldock sessions that are provably dead: a process on this host
 * that no longer exists, or a notebook container on this daemon that is gone or stopped.
 * Sessions it cannot judge (another machine sharing the daemon) are left alone. With a Slurm
 * engine: cancels the jobs of such sessions (their scripts remove the containers on the nodes).
 * Each runtime's sweep is its own (its kind's `sweep`, backends/engine-kind.ts).
 *
 * @example
 * ```ts
 * const { removed } = await cleanupOrphans();
 * console.log(`removed ${removed.length} orphaned tool containers`);
 * ```
 */
export function cleanupOrphans(options: { engine?: Engine } = {}): Promise<OrphanReport> {
  // Checked synchronously, like runTool's options: a typo throws before anything is removed.
  const parsed = parseOrThrow(CleanupOptionsSchema, options, 'options');
  const engine = parsed.engine ?? defaultEngine();
  return kindOf(engine).sweep(engine);
}
