import { z } from 'zod';
import type { ToolError } from '../errors/tool-error.js';

/** Most attempts a call may ask for: enough for any real flakiness, not a busy loop. */
export const MAX_ATTEMPTS = 100;
/** Longest wait between attempts, so a typo in `backoffMs` cannot park a run for a day. */
export const MAX_BACKOFF_MS = 60 * 60 * 1000;

/**
 * What a failed attempt must look like to be retried (docs/retries.md): `"oom"` (killed for
 * memory), `"daemon"` (the daemon was unreachable, reset the connection or answered 5xx), an
 * exit code of the tool, or a predicate on the attempt's {@link ToolError}.
 *
 * @example
 * ```ts
 * const when: RetryWhen[] = ['oom', 75, (error) => /rate limit/.test(error.stderrTail)];
 * await runTool(image, args, mounts, { retry: { attempts: 3, when } });
 * ```
 */
export type RetryWhen = 'oom' | 'daemon' | number | ((error: ToolError) => boolean);

/**
 * Waits between attempts: a fixed number of ms, or exponential from `initial`, multiplied by
 * `factor` (default 2) per retry, at most `max` (default 30 000), jittered.
 *
 * @example
 * ```ts
 * const backoffMs: Backoff = { initial: 500, factor: 3, max: 10_000 }; // ~0.5 s, ~1.5 s, ~4.5 s …
 * await runTool(image, args, mounts, { retry: { attempts: 4, backoffMs } });
 * ```
 */
export type Backoff = number | { initial: number; factor?: number; max?: number };

const WHEN_FORMS = 'must be "oom", "daemon", an exit code (1–255, not 126/127) or a function (error) => boolean, or a list of them';

const exitCode = z
  .number({ error: WHEN_FORMS })
  .int('an exit code must be a whole number')
  .min(1, 'an exit code to retry must be 1–255')
  .max(255, 'an exit code to retry must be 1–255')
  .refine((code) => code !== 126 && code !== 127, '126 and 127 mean the command could not be run; another attempt cannot fix that');

const condition = z.union([z.literal(['oom', 'daemon']), exitCode, z.custom<(error: ToolError) => boolean>((v) => typeof v === 'function')], {
  error: WHEN_FORMS,
});

const backoffMs = z.union(
  [
    z
      .number()
      .int('must be a whole number of milliseconds')
      .min(0, 'must be 0 or more')
      .max(MAX_BACKOFF_MS, `must be at most ${MAX_BACKOFF_MS} (1 hour)`),
    z
      .object({
        initial: z.number().int('must be a whole number of milliseconds').positive('must be more than 0').max(MAX_BACKOFF_MS),
        factor: z.number().min(1, 'must be at least 1').max(10, 'must be at most 10').optional(),
        max: z
          .number()
          .int('must be a whole number of milliseconds')
          .positive('must be more than 0')
          .max(MAX_BACKOFF_MS, `must be at most ${MAX_BACKOFF_MS} (1 hour)`)
          .optional(),
      })
      .strict(),
  ],
  { error: 'must be a number of milliseconds, or { initial, factor?, max? } for exponential backoff' },
);

/**
 * The `retry` run option. Built around the memory schema of api/options.ts (passed in, so this
 * module needs nothing from there and no import cycle forms).
 */
export function retryOptionsSchema(memory: z.ZodType<number | string, number | string>) {
  return z
    .object(
      {
        /** Total attempts, the first included (1 = no retry). */
        attempts: z
          .number({ error: `must be a whole number from 1 to ${MAX_ATTEMPTS}` })
          .int('must be a whole number')
          .min(1, 'must be at least 1 (the first attempt counts)')
          .max(MAX_ATTEMPTS, `must be at most ${MAX_ATTEMPTS}`),
        /** What is retried; default `["oom", "daemon"]`. */
        when: z.union([condition, z.array(condition).min(1, 'must name at least one condition')], { error: WHEN_FORMS }).optional(),
        /** Wait before each retry; default exponential from 1 s, doubling, at most 30 s, jittered. */
        backoffMs: backoffMs.optional(),
        /** Memory limit per attempt: attempt n uses `memory[min(n-1, length-1)]`; overrides `options.memory`. */
        memory: z.array(memory).min(1, 'must list at least one memory limit, e.g. ["4g", "8g"]').max(MAX_ATTEMPTS).optional(),
      },
      { error: 'must be { attempts, when?, backoffMs?, memory? }, e.g. { attempts: 3 }' },
    )
    .strict();
}

/**
 * The `retry` option of `runTool`, `runMany` tasks and recipes: try a failed run again, e.g.
 * with more memory each time (Nextflow's `task.attempt` pattern). See docs/retries.md.
 *
 * @example
 * ```ts
 * const result = await runTool(image, ['bwa', 'mem', ref, r1], mounts, {
 *   retry: { attempts: 3, when: 'oom', memory: ['4g', '8g', '16g'] },
 * });
 * console.log(result.attempts); // 1, 2 or 3
 * ```
 */
export interface RetryOptions {
  /** Total attempts, the first included (1 = no retry; at most 100). */
  attempts: number;
  /** What is retried: `"oom"`, `"daemon"`, exit codes, or a predicate; default `["oom", "daemon"]`. */
  when?: RetryWhen | RetryWhen[];
  /** Wait before each retry: ms, or `{ initial, factor?, max? }`; default `{ initial: 1000, factor: 2, max: 30000 }`. */
  backoffMs?: Backoff;
  /** Memory limit per attempt, e.g. `["4g", "8g", "16g"]`; the last one repeats. */
  memory?: Array<number | string>;
}

// The documented interface and the schema must describe the same option.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesInterface: Same<z.input<ReturnType<typeof retryOptionsSchema>>, RetryOptions> = true;
void schemaMatchesInterface;

/** The `retry` option after validation. */
export type ParsedRetryOptions = z.output<ReturnType<typeof retryOptionsSchema>>;
