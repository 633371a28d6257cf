import type { z } from 'zod';
import { runTool, type MountSpec, type RunOptions, type ToolRun } from '@tooldock/core';
import { parseOrThrow } from '@tooldock/core/advanced';
import { imageFor, type RecipeTool } from './images.js';
import type { RecipeCommon } from './recipe-options.js';

/** A field under the recipe's own name: `field('input')` is `samtools.view.input`. */
export type FieldName = (name: string) => string;

/** What a recipe itself sets on a run (never taken from the caller's `run`). */
export type Plumbing = Pick<RunOptions, 'stdout' | 'stdin' | 'cwd'>;

/**
 * Starts one container for the recipe: the recipe's image (per call → configured → environment
 * → pinned) unless `image` says otherwise, with the caller's `run` options plus `plumbing`.
 */
export type StartTool = (args: string[], mounts: MountSpec[], plumbing?: Plumbing, image?: string) => ToolRun;

/** The two parts a recipe writes itself; parsing, field names, images and `run` are the runner's. */
export interface RecipeSteps<O, R> {
  /** Checks against the file system (inputs exist, outputs clobber nothing), before anything starts. */
  check?(options: O, field: FieldName): void;
  /** Builds the command line and runs it, returning the recipe's typed result. */
  run(options: O, start: StartTool): Promise<R>;
}

/**
 * One recipe call: schema → checks → the tool. Errors name fields under `name` (`bwa.mem.reads1`),
 * and every failure, a bad option included, is a rejection of the returned promise.
 */
export function recipe<S extends z.ZodType<{ image?: string }>, R>(
  name: string,
  tool: RecipeTool,
  schema: S,
  steps: RecipeSteps<z.output<S>, R>,
): (options: z.input<S> & RecipeCommon) => Promise<R> {
  const field: FieldName = (key) => `${name}.${key}`;
  return async (options) => {
    const parsed = parseOrThrow(schema, options, name);
    steps.check?.(parsed, field);
    // The caller's `run` as given (the schema has checked it): runTool applies its own defaults.
    const run = (options as RecipeCommon).run;
    return steps.run(parsed, (args, mounts, plumbing = {}, image = imageFor(tool, parsed.image)) =>
      runTool(image, args, mounts, { ...run, ...plumbing }),
    );
  };
}
