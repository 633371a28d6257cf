import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** tooldock's own directories hold cached outputs, records and locks: the caller's alone. */
export const PRIVATE_DIR_MODE = 0o700;
/** Its own files (blobs, entries, records): readable and writable by the caller only. */
export const PRIVATE_FILE_MODE = 0o600;

/** A directory of tooldock's own that could not be made (names it and why). */
export class OwnDirectoryError extends Error {
  override readonly name = 'OwnDirectoryError';
  constructor(
    readonly path: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`could not create the directory ${path}: ${reason}`, options);
  }
}

const never = new AbortController().signal;

/** `promise`, or the signal's reason as soon as it aborts (the caller tells an abort by `signal.aborted`). */
function bounded<T>(promise: Promise<T>, signal: AbortSignal, _during: string): Promise<T> {
  if (signal === never) return promise;
  promise.catch(() => {});
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * The one way tooldock creates its own directories (cache, TOOLDOCK_HOME, records, locks):
 * missing ones are made one at a time from the nearest existing ancestor down, each with
 * `mode` (0700: private), each step bounded by `signal`. Never `mkdir({ recursive: true })`:
 * Node's recursive mkdir loops without end on procfs (`/proc/x`), spinning a core. A step that
 * fails fails the whole call at once, naming the path — there is no retry loop to spin.
 */
export async function ensureOwnDirectory(path: string, signal: AbortSignal = never, mode = PRIVATE_DIR_MODE): Promise<void> {
  const missing: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    const here = await bounded(
      stat(dir).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined; // the walk up finds what is in the way
        throw new OwnDirectoryError(dir, error.code ?? error.message, { cause: error });
      }),
      signal,
      `creating ${path}`,
    );
    if (here) {
      if (!here.isDirectory()) throw new OwnDirectoryError(dir, 'it exists and is not a directory');
      break;
    }
    missing.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing) {
    await bounded(
      mkdir(dir, { mode }).catch(async (error: NodeJS.ErrnoException) => {
        // Made meanwhile by a parallel call (or process): fine if it is a directory.
        if (error.code === 'EEXIST' && (await stat(dir).catch(() => undefined))?.isDirectory()) return;
        throw new OwnDirectoryError(
          dir,
          error.code === 'ENOENT' ? 'this file system does not allow creating it (ENOENT)' : (error.code ?? error.message),
          { cause: error },
        );
      }),
      signal,
      `creating ${path}`,
    );
  }
}
