import { createHash } from 'node:crypto';
import { realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import type { FileFingerprint } from '../layers/run-trace.js';
import type { RunSpec } from '../lifecycle/run-context.js';
import type { InputFingerprint } from './call-key.js';
import type { InputMode } from './cache-settings.js';
import { hashFile, walkTree } from './file-tree.js';
import { isPartialPath } from './partial-names.js';
import { namedByCall, ProducedFiles } from './produced-files.js';
import { pipedSourceOf, type PipedSource } from './piped-source.js';
import { bounded } from '../lifecycle/bounded.js';

/** What a call reads: files under its read-only mounts, and its stdin. */
export interface CallInputs {
  files: InputFingerprint[];
  /** For the run record: absolute paths. */
  fingerprints: FileFingerprint[];
  stdinSha256: string | undefined;
  /** Set when stdin is another cached call's stdout whose key turned out unknown: run normally. */
  uncacheable?: string;
  /** That other call, when stdin is its stdout: this call is stored only if it succeeded. */
  producer?: PipedSource;
}

/** Why a call cannot be cached, or undefined when it can. */
export function uncacheableReason(spec: RunSpec): string | undefined {
  const { stdin, pull } = spec.options;
  if (stdin instanceof Readable && !pipedSourceOf(stdin)) {
    return 'its stdin is a stream (not the stdout of a cached call): its bytes are only known by reading them';
  }
  if (stdin && typeof stdin === 'object' && 'file' in stdin && statSync(stdin.file, { throwIfNoEntry: false })?.isFIFO()) {
    return 'its stdin is a FIFO: reading it to fingerprint it would consume it';
  }
  if (pull === 'always') return 'pull: "always" asks the registry for its current image, which only a pull can tell';
  return undefined;
}

/** Fingerprints every input; content mode hashes each file (streamed). */
export async function readCallInputs(spec: RunSpec, mode: InputMode, signal: AbortSignal, cacheDir: string): Promise<CallInputs> {
  cacheDir = realpathOr(cacheDir); // mount roots are walked resolved too
  const produced = new ProducedFiles(cacheDir);
  const files: InputFingerprint[] = [];
  const fingerprints: FileFingerprint[] = [];
  const sinks = sinkFiles(spec);
  for (const [mount, local] of spec.mounts.entries()) {
    if (local.write) continue;
    const { base, entries } = await walkTree(local.path);
    for (const entry of entries) {
      const path = entry.rel ? join(base, entry.rel) : base;
      // The call's own `{ file }` sink appears when it ends: what it writes is never what it read.
      if (!isInput(entry.rel, path, cacheDir) || sinks.has(path) || sinks.has(join(local.path, entry.rel))) continue;
      const names = entry.rel ? [path, join(local.path, entry.rel), join(local.target, entry.rel)] : [path, local.path, local.target];
      if ((await produced.produced(entry)) && !namedByCall(spec, names)) continue; // another cached call's output it does not name
      const sha256 = mode === 'content' && entry.kind === 'file' ? await hashFile(path) : undefined;
      files.push({ mount, entry, ...(sha256 ? { sha256 } : {}) });
      if (entry.kind === 'file') fingerprints.push({ path, size: entry.size, mtimeMs: entry.mtimeMs, ...(sha256 ? { sha256 } : {}) });
    }
  }
  const stdin = spec.options.stdin;
  const producer = stdin instanceof Readable ? pipedSourceOf(stdin) : undefined;
  if (!producer) {
    const stdinSha256 = await stdinHash(spec);
    if (stdin && typeof stdin === 'object' && 'file' in stdin && typeof stdin.file === 'string' && stdinSha256) {
      // The record lists a stdin file among what the run read (a workflow export wires it).
      const stats = statSync(stdin.file);
      fingerprints.push({ path: stdin.file, size: stats.size, mtimeMs: stats.mtimeMs, sha256: stdinSha256.slice('file:'.length) });
    }
    return { files, fingerprints, stdinSha256 };
  }
  const key = await bounded(producer.key, signal, 'waiting for the run that feeds its stdin');
  if (key === undefined)
    return { files, fingerprints, stdinSha256: undefined, uncacheable: 'its stdin comes from a call that does not use the cache' };
  return { files, fingerprints, stdinSha256: `run:${key}`, producer };
}

/**
 * Hidden temp files (`.partial-`) are outputs being written, by convention never inputs; the
 * cache's own directory, when it sits in a mount, changes with every call it stores.
 */
function isInput(rel: string, path: string, cacheDir: string): boolean {
  return !isPartialPath(rel) && path !== cacheDir && !path.startsWith(`${cacheDir}/`);
}

/** The files a call's stdout and stderr are written to. */
function sinkFiles(spec: RunSpec): Set<string> {
  const files = new Set<string>();
  for (const sink of [spec.options.stdout, spec.options.stderr]) {
    if (typeof sink === 'object' && sink !== null && !(sink instanceof Writable) && 'file' in sink && typeof sink.file === 'string') {
      files.add(sink.file);
      files.add(realpathOr(sink.file));
    }
  }
  return files;
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

async function stdinHash(spec: RunSpec): Promise<string | undefined> {
  const stdin = spec.options.stdin;
  if (stdin === undefined || stdin instanceof Readable) return undefined;
  if (typeof stdin === 'string' || stdin instanceof Uint8Array) return createHash('sha256').update(stdin).digest('hex');
  if ('file' in stdin) return `file:${await hashFile(stdin.file)}`;
  return undefined;
}

/** Whether the inputs still look as they did (size, mtime, names): a run that saw them change is not stored. */
export function sameFiles(a: InputFingerprint[], b: InputFingerprint[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((x, i) => {
    const y = b[i]!;
    return (
      x.mount === y.mount &&
      x.entry.rel === y.entry.rel &&
      x.entry.kind === y.entry.kind &&
      x.entry.size === y.entry.size &&
      x.entry.mtimeMs === y.entry.mtimeMs &&
      x.entry.link === y.entry.link
    );
  });
}
