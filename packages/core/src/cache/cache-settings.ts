import { isAbsolute } from 'node:path';
import { cacheSwitch, defaultCacheDir } from '../util/environment.js';
import { InvalidInputError, parseOrThrow } from '../errors/invalid-input-error.js';
import { CacheOptionSchema, type ParsedRunOptions } from '../api/options.js';
import type { z } from 'zod';

/** How inputs are fingerprinted: `stat` (path, size, mtime) or `content` (SHA-256 of every byte). */
export type InputMode = 'stat' | 'content';

/** The `cache` option as a call, `configure()` or `TOOLDOCK_CACHE` gives it. */
export type CacheOption = z.input<typeof CacheOptionSchema>;

/** Where one call's results are kept, and how its inputs are compared. */
export interface CacheSettings {
  dir: string;
  inputs: InputMode;
}

let processDefault: CacheOption | undefined;

/** Sets (or, with undefined, clears) the process-wide default; validated like the run option. */
export function setDefaultCache(option: CacheOption | undefined): void {
  processDefault = option === undefined ? undefined : parseOrThrow(CacheOptionSchema, option, 'configure.cache');
}

/** The cache settings of a call: its own option, else `configure({ cache })`, else `TOOLDOCK_CACHE`. */
export function cacheSettingsOf(options: ParsedRunOptions): CacheSettings | undefined {
  const option = options.cache ?? processDefault ?? environmentDefault();
  if (option === undefined || option === false) return undefined;
  if (option === true) return { dir: defaultCacheDir(), inputs: 'stat' };
  if (typeof option === 'string') return { dir: option, inputs: 'stat' };
  return { dir: option.dir ?? defaultCacheDir(), inputs: option.inputs ?? 'stat' };
}

function environmentDefault(): CacheOption | undefined {
  const dir = cacheSwitch();
  if (dir !== undefined && !isAbsolute(dir)) {
    throw new InvalidInputError('TOOLDOCK_CACHE', dir, 'must be 1, true, 0, false or an absolute directory');
  }
  return dir;
}
