import { basename, dirname, join } from 'node:path';
import { partialPrefix } from '../util/hidden-temp-name.js';

/**
 * Cached calls of this process writing to their writable mounts right now (or a moment ago), so
 * a run can tell its own outputs from those of a concurrent call writing to the same folder
 * (runMany over samples into one output directory). Other processes are not seen: docs/cache.md.
 */
export interface Writer {
  /** Resolved local roots of its writable mounts. */
  roots: string[];
  args: string[];
  startedAt: number;
  endedAt?: number;
}

/** A recipe renames its temp output just after its call ended: still that call's doing. */
const RENAME_GRACE_MS = 1_000;
const writers = new Set<Writer>();

export function startWriting(roots: string[], args: string[]): Writer {
  const writer: Writer = { roots, args, startedAt: Date.now() };
  writers.add(writer);
  return writer;
}

export function stopWriting(writer: Writer): void {
  writer.endedAt = Date.now();
  const oldestActive = Math.min(...[...writers].filter((w) => w.endedAt === undefined).map((w) => w.startedAt));
  for (const w of writers) if (w.endedAt !== undefined && w.endedAt + RENAME_GRACE_MS < Math.min(oldestActive, Date.now())) writers.delete(w);
}

/**
 * The other calls whose writing overlapped this one's, into an overlapping folder; including
 * those that ended just before it started (their renames may land in its window: see
 * {@link wroteDuring} for those that really overlapped).
 */
export function concurrentWith(me: Writer): Writer[] {
  return [...writers].filter(
    (w) =>
      w !== me &&
      (w.endedAt === undefined || w.endedAt + RENAME_GRACE_MS >= me.startedAt) &&
      w.roots.some((a) => me.roots.some((b) => within(a, b) || within(b, a))),
  );
}

/** Whether `other` was writing while `me` was (not only just before). */
export function wroteDuring(other: Writer, me: Writer): boolean {
  return other.endedAt === undefined || other.endedAt >= me.startedAt;
}

/**
 * Whether `args` name `path`: the path itself, a hidden temp name of it (a recipe's
 * output-to-be), or — for a hidden temp file — a temp name it extends (`bwa index -p <temp>`
 * writes `<temp>.bwt`; `samtools sort -T <temp>.tmp` writes `<temp>.tmp.0000.bam`).
 */
export function namesPath(args: string[], path: string): boolean {
  const words = tokens(args);
  if (words.some((token) => token === path || (isHiddenTemp(token) && path.startsWith(token)))) return true;
  return namesTempOf(args, path);
}

/** Whether `args` name a hidden temp name of `path`: `path` is what that temp file becomes. */
export function namesTempOf(args: string[], path: string): boolean {
  const temp = join(dirname(path), partialPrefix(path));
  return tokens(args).some((token) => token.startsWith(temp));
}

function tokens(args: string[]): string[] {
  return args.flatMap((arg) => arg.split(/[\s=:,]/));
}

export function isHiddenTemp(path: string): boolean {
  return /^\..+\.partial-/.test(basename(path));
}

function within(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}/`);
}
