import { basename, isAbsolute } from 'node:path';
import type { RecordedFile, RunRecord } from '../records/run-record.js';
import { argPath } from './arg-paths.js';
import { finalName } from './final-name.js';

/** One file a slot stands for: the path's own file (`suffix: ''`) or one beside it (`.bai`, `/x.fq`). */
export interface SlotFile {
  suffix: string;
  file: RecordedFile;
}

/**
 * A path in the command line, made a parameter of the tool: an input it reads (staged into the
 * working directory under `name`), an output it writes (collected by name), or scratch space.
 */
export interface Slot {
  role: 'input' | 'output' | 'scratch';
  /** Its final file name in the tool's working directory (`ref.fa`, `s1.bam`). */
  name: string;
  /** A directory (its files are named by `/`-suffixes) rather than a file or a prefix. */
  directory: boolean;
  files: SlotFile[];
}

/** One argv element: literal text, or text around a slot. */
export type ArgPart = { literal: string } | { slot: number; before: string };

/** A record ready to become a tool call, or why it cannot be one. */
export interface CallPlan {
  record: RunRecord;
  /** The image to pin, as the DockerRequirement names it. */
  image: { reference: string; id?: string };
  argv: ArgPart[];
  slots: Slot[];
  stdin?: { file: RecordedFile };
  /** Where stdout went: a file sink, or the captured or streamed text (now a file). */
  stdout?: { name: string; file?: RecordedFile };
  envNames: string[];
  resources?: RunRecord['resources'];
  /** Files it wrote that its command line does not name. */
  undeclared: RecordedFile[];
}

export type Planned = { plan: CallPlan } | { skipped: string };

/**
 * How one record becomes one call of a CommandLineTool: each argv element naming a path under a
 * mount becomes a slot (input when the record lists files it read at or under that path,
 * output when it lists files it wrote there, else scratch), stdout a file output. Pure.
 * Records that cannot be re-run faithfully are skipped with the reason.
 */
export function planCall(record: RunRecord, index: number): Planned {
  const why = untranslatable(record);
  if (why) return { skipped: why };
  const slots: Slot[] = [];
  const claimed = new Set<RecordedFile>();
  const argv = record.args.map((arg): ArgPart => {
    const path = argPath(arg, record.mounts, record.cwd);
    if (!path) return { literal: arg };
    const slot = slotOf(path.localPath, record, claimed);
    // A relative word that names no file of the run stays a word (`mem` with cwd in a mount).
    const pathText = arg.slice(path.before.length);
    if (slot.role === 'scratch' && !isAbsolute(pathText)) return { literal: arg };
    slots.push(slot);
    return { slot: slots.length - 1, before: path.before };
  });
  const stdio = record.stdio!;
  const stdinFile = typeof stdio.stdin === 'object' ? record.inputs.find((f) => f.path === (stdio.stdin as { file: string }).file) : undefined;
  if (typeof stdio.stdin === 'object' && !stdinFile) return { skipped: `its stdin file ${stdio.stdin.file} is not among the files it recorded` };
  const stdoutFile = typeof stdio.stdout === 'object' ? record.outputs.find((f) => f.path === (stdio.stdout as { file: string }).file) : undefined;
  if (stdoutFile) claimed.add(stdoutFile);
  const stdout =
    stdio.stdout === 'ignore'
      ? undefined
      : stdoutFile
        ? { name: finalName(basename(stdoutFile.path)), file: stdoutFile }
        : { name: `${stepLabel(record)}-${index + 1}.stdout` };
  return {
    plan: {
      record,
      image: pinnedImage(record),
      argv,
      slots,
      ...(stdinFile ? { stdin: { file: stdinFile } } : {}),
      ...(stdout ? { stdout } : {}),
      envNames: record.envNames,
      ...(record.resources ? { resources: record.resources } : {}),
      undeclared: record.outputs.filter((f) => f.kind === 'file' && !claimed.has(f)),
    },
  };
}

/** Why a record cannot become a tool call, or undefined. */
function untranslatable(record: RunRecord): string | undefined {
  if (!record.succeeded) return `it failed (${record.error ?? `exit code ${record.exitCode ?? 'unknown'}`}): only successful runs are exported`;
  if (!record.stdio) return 'its record predates the stdio facts an export needs (recorded by an older tooldock)';
  if (record.stdio.stdin === 'stream') return 'it was fed by a Node stream: its bytes were never recorded';
  if (record.stdio.stdin === 'run')
    return "it was fed another run's stdout through a pipe: the pipe is not a file a workflow can wire (write that run's stdout to a { file } sink instead)";
  if (record.stdio.stdin === 'text') return 'it was fed text or bytes given in the call: they are not recorded (they may be a secret)';
  if (record.entrypoint !== undefined) return "it overrode the image's entrypoint, which a CWL DockerRequirement cannot";
  if (!record.cache || record.cache.uncacheable) {
    return `it ran without the cache's file fingerprints${record.cache?.uncacheable ? ` (${record.cache.uncacheable})` : ''}: run it with cache: { inputs: 'content' } so its record names each file it read and wrote`;
  }
  return undefined;
}

/**
 * The slot for one path: the files the run read at or under it (exactly, as a prefix such as
 * `ref.fa` → `ref.fa.bwt`, or as a directory), else the files it wrote there, else scratch.
 * Outputs win: a path the tool wrote is its output even if a file was there before.
 */
function slotOf(local: string, record: RunRecord, claimed: Set<RecordedFile>): Slot {
  const name = finalName(basename(local));
  const written = filesAt(local, record.outputs);
  if (written.length > 0) {
    written.forEach((f) => claimed.add(f.file));
    return { role: 'output', name, directory: written.some((f) => f.suffix.startsWith('/')), files: written };
  }
  const read = filesAt(local, record.inputs);
  if (read.length > 0) return { role: 'input', name, directory: read.some((f) => f.suffix.startsWith('/')), files: read };
  return { role: 'scratch', name, directory: false, files: [] };
}

/** Files at `path`, beside it under a longer name, or under it as a directory; the file itself first. */
function filesAt(path: string, files: readonly RecordedFile[]): SlotFile[] {
  const base = path.replace(/\/+$/, '');
  const found = files.filter((f) => f.kind === 'file' && f.path.startsWith(base)).map((f) => ({ suffix: f.path.slice(base.length), file: f }));
  // A directory's files, or a prefix's: never both kinds mixed with the other's neighbours.
  const inside = found.filter((f) => f.suffix.startsWith('/'));
  const chosen = inside.length > 0 && !found.some((f) => f.suffix === '') ? inside : found.filter((f) => !f.suffix.startsWith('/'));
  return chosen.sort((a, b) => a.suffix.localeCompare(b.suffix));
}

function pinnedImage(record: RunRecord): CallPlan['image'] {
  return { reference: record.image, ...(record.imageId ? { id: record.imageId } : {}) };
}

/** A short label for a call: its first two words (`samtools-sort`). */
export function stepLabel(record: RunRecord): string {
  const words = record.args
    .slice(0, 2)
    .map((a) => basename(a))
    .filter((a) => /^[A-Za-z][\w.-]*$/.test(a));
  return (words.join('-') || 'tool').replace(/[^\w-]/g, '-');
}
