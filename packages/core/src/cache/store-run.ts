import { join } from 'node:path';
import type { FileFingerprint } from '../layers/run-trace.js';
import type { RunSpec } from '../lifecycle/run-context.js';
import type { RunResult } from '../api/run-result.js';
import { ENTRY_VERSION, type BlobRef, type CacheEntry, type KeptFile, type StoredOutput, type StoredResult } from './cache-entry.js';
import type { CacheSettings } from './cache-settings.js';
import type { CacheStore } from './cache-store.js';
import { readCallInputs, sameFiles, type CallInputs } from './call-inputs.js';
import { canonicalPartials } from './partial-names.js';
import { racyInputs } from './racy-inputs.js';
import { ProducedFiles } from './produced-files.js';
import { concurrentWith, isHiddenTemp, namesPath, wroteDuring, type Writer } from './concurrent-writers.js';
import { changesBetween, keptFiles, writableState, type MountChanges, type MountState } from './writable-state.js';

/** What the store of a successful run needs from before it ran. */
export interface BeforeRun {
  key: string;
  inputs: CallInputs;
  writable: MountState[];
  /** This call among the concurrent writers of this process. */
  writer: Writer;
}

/**
 * Stores a successful run under its key: its result, stdout/stderr blobs, every file it created
 * or changed in its writable mounts (content-addressed), and the files there it left alone.
 * Returns why it was not stored instead when the run's inputs changed while it ran or it left
 * something the cache cannot restore. Blobs first, entry last: an entry only ever names
 * complete blobs.
 */
export async function storeRun(
  store: CacheStore,
  settings: CacheSettings,
  spec: RunSpec,
  before: BeforeRun,
  result: RunResult,
  streams: [BlobRef, BlobRef],
): Promise<{ outputs: FileFingerprint[]; kept: FileFingerprint[] } | { notStored: string }> {
  const recordedAtMs = Date.now();
  const now = await readCallInputs(spec, 'stat', AbortSignal.timeout(60_000), settings.dir);
  if (!sameFiles(before.inputs.files, now.files)) return { notStored: 'an input changed while the tool ran' };
  const after = await writableState(spec);
  const changes = changesBetween(before.writable, after);
  if (changes.unstorable) return { notStored: changes.unstorable };
  const own = ownChanges(changes.files, spec, before.writer);
  if ('ambiguous' in own) return { notStored: own.ambiguous };
  const outputs: StoredOutput[] = [];
  const fingerprints: FileFingerprint[] = [];
  const produced = new ProducedFiles(store.dir);
  for (const { state, entry } of own.files) {
    const path = entry.rel ? join(state.base, entry.rel) : state.base;
    const blob = await store.putFile(path);
    await produced.mark(path);
    outputs.push({ mount: state.mount, rel: canonicalPartials(entry.rel), mode: entry.mode, mtimeMs: entry.mtimeMs, ...blob });
    fingerprints.push({ path, size: blob.size, mtimeMs: entry.mtimeMs, sha256: blob.sha256 });
  }
  const kept = await keptFiles(before.writable, after, settings.inputs, spec, produced, recordedAtMs);
  await store.writeEntry({
    version: ENTRY_VERSION,
    key: before.key,
    createdAt: new Date().toISOString(),
    result: storedResult(result),
    stdout: streams[0],
    stderr: streams[1],
    directories: changes.directories.map((d) => ({ mount: d.mount, rel: canonicalPartials(d.rel) })),
    outputs,
    kept,
    inputs: before.inputs.fingerprints,
    racyInputs: await racyInputs(spec, before.inputs.files, recordedAtMs),
  } satisfies CacheEntry);
  return { outputs: fingerprints, kept: keptFingerprints(kept, after) };
}

/**
 * The changed files that are this call's: a hidden temp file only when this call names it (a
 * recipe's output-to-be; otherwise another writer's work in progress), and nothing another
 * concurrent call names. With concurrent writers in the same folder, a file nobody names cannot
 * be told apart: the call is then not stored rather than risk restoring another call's output.
 */
function ownChanges(files: MountChanges['files'], spec: RunSpec, me: Writer): { files: MountChanges['files'] } | { ambiguous: string } {
  const others = concurrentWith(me);
  const overlapping = others.some((other) => wroteDuring(other, me));
  const own: MountChanges['files'] = [];
  for (const change of files) {
    const local = spec.mounts[change.state.mount]!;
    const rel = change.entry.rel;
    const paths = rel
      ? [join(change.state.base, rel), join(local.path, rel), join(local.target, rel)]
      : [change.state.base, local.path, local.target];
    const mine = paths.some((p) => namesPath(spec.args, p));
    const theirs = others.some((other) => paths.some((p) => namesPath(other.args, p)));
    if (isHiddenTemp(paths[0]!) ? !mine : theirs && !mine) continue;
    if ((theirs && mine) || (!mine && !theirs && overlapping)) {
      return { ambiguous: `${paths[0]} changed while another call wrote to the same folder: it cannot be told whose it is` };
    }
    own.push(change);
  }
  return { files: own };
}

function storedResult(result: RunResult): StoredResult {
  const { stdout: _o, stderr: _e, cached: _c, notes: _n, startedAt, finishedAt, ...rest } = result;
  return { ...rest, startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString() };
}

/** The files a run left alone in its writable mounts, as the run record lists its inputs. */
export function keptFingerprints(kept: KeptFile[], states: MountState[]): FileFingerprint[] {
  return kept.flatMap((file) => {
    const state = states.find((s) => s.mount === file.mount);
    if (!state) return [];
    return [
      {
        path: file.rel ? join(state.base, file.rel) : state.base,
        size: file.size,
        mtimeMs: file.mtimeMs,
        ...(file.sha256 ? { sha256: file.sha256 } : {}),
      },
    ];
  });
}
