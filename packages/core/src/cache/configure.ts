import { setDefaultCache, type CacheOption } from './cache-settings.js';

/** Process-wide defaults for every call that does not set its own. */
export interface ToolDockDefaults {
  /**
   * The result cache for every call (`runTool`, `runMany` tasks, recipes, sessions) that has no
   * `cache` option of its own: `true`, a directory, `{ dir?, inputs? }`, `false` (off) — or
   * `undefined` to fall back to `TOOLDOCK_CACHE` again.
   */
  cache?: CacheOption | undefined;
}

/**
 * Sets process-wide defaults. Only the keys given change. Bad values throw one
 * `InvalidInputError` naming the field.
 *
 * @example
 * ```ts
 * import { runTool } from '@tooldock/core';
 * import { configure } from '@tooldock/core/cache';
 * configure({ cache: true }); // every call below is served from ~/.cache/tooldock/cache when unchanged
 * const result = await runTool(image, ['samtools', 'flagstat', '/data/s1.bam'], ['/data']);
 * console.log(result.cached);
 * ```
 */
export function configure(defaults: ToolDockDefaults): void {
  if ('cache' in defaults) setDefaultCache(defaults.cache);
}
