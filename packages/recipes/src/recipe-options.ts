import { z } from 'zod';
import type { RunOptions } from '@tooldock/core';

/**
 * runTool's options a recipe passes on. `stdout`/`stdin` are the recipe's own plumbing, and
 * `reject: false` would let a failed tool's partial output be moved into place as if complete.
 */
export type RecipeRunOptions = Omit<RunOptions, 'stdout' | 'stdin' | 'reject'>;

/** Every recipe also takes `runTool`'s options (limits, signal, engine, …) and an `image`. */
export interface RecipeCommon {
  /** The image to run; default per {@link imageFor}. */
  image?: string;
  /** Passed to `runTool` (cpus, memory, timeoutMs, signal, engine, onEvent, …). */
  run?: RecipeRunOptions;
}

// Every key runTool takes (minus the recipe's own), so a typo is named under the recipe's field;
// runTool then checks the values.
const RUN_KEYS = [
  'cwd', 'env', 'user', 'cpus', 'memory', 'timeoutMs', 'signal', 'stderr', 'encoding', 'maxBuffer',
  'network', 'pull', 'copyOutputs', 'labels', 'entrypoint', 'engine', 'pidsLimit', 'noNewPrivileges',
  'capabilities', 'exposeDaemonSocket', 'onEvent',
] as const satisfies ReadonlyArray<keyof RecipeRunOptions>;

// The build fails when runTool gains an option this list lacks.
const listsEveryOption: [Exclude<keyof RecipeRunOptions, (typeof RUN_KEYS)[number]>] extends [never] ? true : false = true;
void listsEveryOption;

const runSchema = z.object(Object.fromEntries(RUN_KEYS.map((key) => [key, z.unknown().optional()]))).strict();

export const commonFields = {
  image: z.string().min(1).optional(),
  run: (runSchema as z.ZodType<RecipeRunOptions>).optional(),
};

export const absolutePath = z.string().refine((p) => p.startsWith('/'), 'must be an absolute path');
export const threads = z.number().int('must be a whole number').min(1, 'must be at least 1').max(512);
