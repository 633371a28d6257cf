import { Readable } from 'node:stream';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import type { ParsedRunOptions } from '../api/options.js';

/**
 * A run that may be retried needs stdin it can give every attempt again: a string, a Buffer or
 * a file. A stream (another run's `stdout`) is consumed by the first attempt; a second would get
 * what is left of it, and produce a wrong result that looks right.
 */
export function refuseUnreplayableRetry(options: ParsedRunOptions): void {
  if (!options.retry || options.retry.attempts <= 1 || !(options.stdin instanceof Readable)) return;
  throw new InvalidInputError(
    'options.retry',
    options.retry,
    'cannot be combined with a stream as stdin (a retry cannot replay it); pass stdin as a string, a Buffer or { file }, or retry the whole pipeline',
  );
}
