/** A promise with its settlers, for a value another party provides later. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/**
 * `Promise.withResolvers()` for Node 20 (which lacks it): the one way tooldock makes a promise
 * settled from outside. Settling twice is a no-op, as for any promise.
 *
 * @example
 * ```ts
 * const id = deferred<string>();
 * onCreated((containerId) => id.resolve(containerId));
 * console.log(await id.promise);
 * ```
 */
export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}
