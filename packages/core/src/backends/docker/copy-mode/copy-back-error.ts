import { TooldockError } from '../../../errors/tooldock-error.js';
/**
 * Why a writable mount's outputs were not (all) brought back: a refused archive entry, a type
 * conflict with a local file, or a filesystem error, always naming the path. The run's lifecycle
 * wraps it into the run's `ToolError`.
 */
export class CopyBackError extends TooldockError {
  readonly code = 'ERR_TOOLDOCK_COPY_BACK';
  override readonly name = 'CopyBackError';
}

/** An archive name or path shortened for a message (a hostile name can be kilobytes long). */
export function shown(path: string | null | undefined): string {
  const text = path ?? '';
  return JSON.stringify(text.length > 160 ? `${text.slice(0, 100)}…${text.slice(-40)}` : text);
}

/** `error` as a {@link CopyBackError} naming `path`: ours pass through, fs errors get plain words. */
export function copyBackError(error: unknown, path: string): CopyBackError {
  if (error instanceof CopyBackError) return error;
  const errno = error as NodeJS.ErrnoException;
  const reason = errno.code ? (REASONS[errno.code] ?? errno.code) : errno.message;
  return new CopyBackError(`copy mode could not write ${shown(path)}: ${reason}`, { cause: error });
}

const REASONS: Record<string, string> = {
  ENAMETOOLONG: 'the name is too long for this filesystem',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the filesystem is read-only',
  EXDEV: 'the staging directory and the destination are on different filesystems',
};
