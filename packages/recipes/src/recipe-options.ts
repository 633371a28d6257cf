import { z } from 'zod';
import type { RunOptions } from '@tooldock/core';
import { ImageReferenceSchema, RunOptionsSchema } from '@tooldock/core/advanced';

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

// runTool's own schema, minus the recipe's plumbing: a typo or a bad value is named under the
// recipe's field (`samtools.view.run.cpus`) before anything starts, and a new runTool option
// is accepted here the day it exists.
const runSchema = RunOptionsSchema.omit({ stdout: true, stdin: true, reject: true });

export const commonFields = {
  image: ImageReferenceSchema.optional(),
  run: runSchema.optional(),
};

export const absolutePath = z.string().refine((p) => p.startsWith('/'), 'must be an absolute path');
export const threads = z.number().int('must be a whole number').min(1, 'must be at least 1').max(512);
