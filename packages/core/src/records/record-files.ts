import { stat } from 'node:fs/promises';
import { Writable } from 'node:stream';
import type { CacheTrace, FileFingerprint } from '../layers/run-trace.js';
import type { RunSpec } from '../lifecycle/run-context.js';
import type { RecordedFile } from './run-record.js';

/**
 * The files a record lists. With the cache, its fingerprints (every input file, every output
 * with its hash): the cache computed them anyway. Without it, what costs a few stat calls and
 * no reading: each read-only mount and a stdin file (inputs), each writable mount and
 * `{ file }` sink (outputs), with size and mtime — never a walk of a directory, never a hash.
 */
export async function recordedFiles(spec: RunSpec, cache: CacheTrace | undefined): Promise<{ inputs: RecordedFile[]; outputs: RecordedFile[] }> {
  if (cache) return { inputs: cache.inputs.map(fromFingerprint), outputs: [...cache.outputs.map(fromFingerprint), ...sinkFiles(spec, cache)] };
  const { inputs, outputs } = cheapPaths(spec);
  return { inputs: await statAll(inputs), outputs: await statAll(outputs) };
}

/** The paths a run names as its inputs and outputs, without touching the filesystem. */
export function cheapPaths(spec: RunSpec): { inputs: string[]; outputs: string[] } {
  const inputs = spec.mounts.filter((m) => !m.write).map((m) => m.path);
  const outputs = spec.mounts.filter((m) => m.write).map((m) => m.path);
  const stdin = spec.options.stdin;
  if (stdin && typeof stdin === 'object' && 'file' in stdin && typeof stdin.file === 'string') inputs.push(stdin.file);
  for (const sink of [spec.options.stdout, spec.options.stderr]) {
    if (typeof sink === 'object' && !(sink instanceof Writable) && 'file' in sink) outputs.push(sink.file);
  }
  return { inputs: [...new Set(inputs)], outputs: [...new Set(outputs)] };
}

/** A `{ file }` sink holds exactly the bytes the cache stored (and hashed) for that stream. */
function sinkFiles(spec: RunSpec, cache: CacheTrace): RecordedFile[] {
  const files: RecordedFile[] = [];
  for (const [sink, stored] of [
    [spec.options.stdout, cache.stdout],
    [spec.options.stderr, cache.stderr],
  ] as const) {
    if (!stored || typeof sink !== 'object' || sink instanceof Writable || !('file' in sink)) continue;
    files.push({ path: sink.file, kind: 'file', size: stored.size, sha256: stored.sha256 });
  }
  return files;
}

function fromFingerprint(f: FileFingerprint): RecordedFile {
  return {
    path: f.path,
    kind: 'file',
    size: f.size,
    ...(f.mtimeMs !== undefined ? { mtimeMs: f.mtimeMs } : {}),
    ...(f.sha256 ? { sha256: f.sha256 } : {}),
  };
}

async function statAll(paths: string[]): Promise<RecordedFile[]> {
  const files = await Promise.all(
    paths.map(async (path): Promise<RecordedFile | undefined> => {
      const stats = await stat(path).catch(() => undefined); // a failed run may not have made it
      if (!stats) return undefined;
      return stats.isDirectory()
        ? { path, kind: 'directory', mtimeMs: stats.mtimeMs }
        : { path, kind: 'file', size: stats.size, mtimeMs: stats.mtimeMs };
    }),
  );
  return files.filter((f): f is RecordedFile => f !== undefined);
}
