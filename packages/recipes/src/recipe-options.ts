import { z } from 'zod';
import type { RunOptions } from '@tooldock/core';

/** Every recipe also takes `runTool`'s options (limits, signal, engine, …) and an `image`. */
export interface RecipeCommon {
  /** The image to run; default per {@link imageFor}. */
  image?: string;
  /** Passed to `runTool` (cpus, memory, timeoutMs, signal, engine, onEvent, …). */
  run?: Omit<RunOptions, 'stdout' | 'stdin'>;
}

export const commonFields = {
  image: z.string().min(1).optional(),
  run: z.record(z.string(), z.unknown()).optional(),
};

export const absolutePath = z.string().refine((p) => p.startsWith('/'), 'must be an absolute path');
export const threads = z.number().int('must be a whole number').min(1, 'must be at least 1').max(512);
