/** Every error tooldock throws carries this brand, so two copies of the package still agree. */
const brand = Symbol.for('tooldock.error');

/**
 * The base of every error tooldock throws, with a stable `code` to branch on (the message is
 * for people and may change): `ERR_TOOLDOCK_INVALID_INPUT`, `ERR_TOOLDOCK_TOOL_FAILED`,
 * `ERR_TOOLDOCK_ENGINE_UNREACHABLE`, … (docs/errors.md lists them).
 *
 * @example
 * ```ts
 * try { await runTool(image, args, mounts); }
 * catch (error) {
 *   if (isTooldockError(error) && error.code === 'ERR_TOOLDOCK_ENGINE_UNREACHABLE') console.log('start Docker first');
 * }
 * ```
 */
export abstract class TooldockError extends Error {
  /** Stable across versions: what kind of failure this is. */
  abstract readonly code: `ERR_TOOLDOCK_${string}`;
  readonly [brand] = true;
}

/**
 * True for any error tooldock threw (across package copies, e.g. ESM and CJS in one notebook).
 *
 * @example
 * ```ts
 * try { await runTool(image, ['samtools', '--version']); }
 * catch (error) { if (isTooldockError(error)) console.log(error.code); else throw error; }
 * ```
 */
export function isTooldockError(error: unknown): error is TooldockError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[brand] === true;
}
