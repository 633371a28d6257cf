import type { RecordedFile } from '../records/run-record.js';
import { finalPath } from './final-name.js';

/**
 * Whether two recorded files are the same file content: by SHA-256 when both were hashed (the
 * cache's `inputs: 'content'`), else by final path, size and mtime (a rename keeps all but the
 * name, and the final name is the same). Never by path alone.
 */
export function sameFile(a: RecordedFile, b: RecordedFile): boolean {
  if (a.kind !== 'file' || b.kind !== 'file') return false;
  if (a.size !== undefined && b.size !== undefined && a.size !== b.size) return false;
  if (a.sha256 && b.sha256) return a.sha256 === b.sha256;
  if (finalPath(a.path) !== finalPath(b.path) || a.size === undefined || b.size === undefined) return false;
  return a.mtimeMs !== undefined && b.mtimeMs !== undefined && Math.floor(a.mtimeMs) === Math.floor(b.mtimeMs);
}
