import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import { backendFor, defaultEngine, kindOf } from '../backends/registry.js';
import { ImageReferenceSchema } from './image-reference.js';
import { InvalidInputError, parseOrThrow } from '../errors/invalid-input-error.js';
import { parseMounts, type MountSpec } from './mount-spec.js';
import { RunOptionsSchema, type ParsedRunOptions, type RunOptions } from './options.js';
import { composeLayers } from '../layers/run-layer.js';
import { holdStdin, releaseStdin } from '../lifecycle/held-stdin.js';
import { runLayers } from '../layers/run-layers.js';
import { refuseUnreplayableRetry } from '../retry/replayable-input.js';
import { runContainer, type RunSpec } from '../lifecycle/run-container.js';
import { ToolRun } from './tool-run.js';

/**
 * Runs `args` in a container of `image` and returns a {@link ToolRun}: await it for the result,
 * or stream its output. Mounted paths keep their path inside the tool container (read-only unless
 * asked), the tool runs as the caller, with no network, and the container is always removed.
 * Invalid input throws an {@link InvalidInputError} before any container exists.
 *
 * @example
 * ```ts
 * const { stdout } = await runTool(
 *   'quay.io/biocontainers/samtools:1.22.1--h96c455f_0',
 *   ['samtools', 'flagstat', '/data/sample.bam'],
 *   ['/data'],
 * );
 * ```
 */
export function runTool(image: string, args: string[], mounts?: MountSpec[], options?: RunOptions): ToolRun {
  return startRun(prepareRun(image, args, mounts, options));
}

/** Validates a run request (throws {@link InvalidInputError}) without starting anything. */
export function prepareRun(image: string, args: string[], mounts?: MountSpec[], options?: RunOptions): RunSpec {
  validateImage(image);
  validateArgs(args);
  const localMounts = parseMounts(mounts);
  const parsed = parseOrThrow(RunOptionsSchema, options ?? {}, 'options');
  validatePaths(parsed);
  refuseUnreplayableRetry(parsed);
  const engine = parsed.engine ?? defaultEngine();
  // The runtime's own mount checks, synchronously, naming the mount (Docker: a mount that *is*
  // the daemon's socket; Slurm: paths on the shared filesystem).
  kindOf(engine).checkMounts(engine, localMounts, parsed);
  return { image, args: [...args], mounts: localMounts, options: parsed, engine, backend: backendFor(engine) };
}

/** Starts a prepared run: the container lifecycle inside the layers (retries, record, cache). */
export function startRun(spec: RunSpec): ToolRun {
  const run = composeLayers(runLayers, (attempt, channels) => runContainer(attempt, channels));
  const { stdin } = spec.options;
  holdStdin(stdin); // from now: a producer that starts before our container must not lose bytes
  return new ToolRun((channels) => run(spec, channels, { attempt: 1 }).finally(() => releaseStdin(stdin)), spec.options.signal);
}

function validateImage(image: unknown): asserts image is string {
  parseOrThrow(ImageReferenceSchema, image, 'image');
}

function validateArgs(args: unknown): asserts args is string[] {
  if (!Array.isArray(args)) throw new InvalidInputError('args', args, 'must be an array of strings, e.g. ["samtools", "--version"]');
  args.forEach((arg, i) => {
    if (typeof arg !== 'string') throw new InvalidInputError(`args[${i}]`, arg, 'must be a string (convert numbers with String())');
    // No runtime can pass it on: an argv entry ends at the first NUL.
    if (arg.includes('\0')) throw new InvalidInputError(`args[${i}]`, arg, 'must not contain a NUL byte, which no process can receive');
  });
}

/** Files named in options must be usable before anything starts (not found out after the tool ran). */
function validatePaths(options: ParsedRunOptions): void {
  for (const name of ['stdout', 'stderr'] as const) {
    const sink = options[name];
    if (typeof sink === 'object' && !(sink instanceof Writable) && 'file' in sink) validateOutputFile(`options.${name}.file`, sink.file);
  }
  const stdin = options.stdin;
  if (stdin && typeof stdin === 'object' && 'file' in stdin && typeof stdin.file === 'string') validateInputFile('options.stdin.file', stdin.file);
}

/** The output is written beside its path, then renamed over it: the directory must take a new file. */
function validateOutputFile(field: string, file: string): void {
  const dir = dirname(file);
  if (!statOrUndefined(dir)?.isDirectory()) throw new InvalidInputError(field, file, `its directory ${dir} must exist`);
  if (!accessible(dir, constants.W_OK)) throw new InvalidInputError(field, file, `its directory ${dir} is not writable by this process`);
  const existing = statOrUndefined(file);
  if (existing?.isDirectory()) throw new InvalidInputError(field, file, 'is a directory; name a file inside it');
  // A rename over a device or FIFO would replace it, not write to it.
  if (existing && !existing.isFile()) throw new InvalidInputError(field, file, 'exists and is not a regular file; to discard output use "ignore"');
}

/** A directory or a device (`/dev/zero`) would fail or never end; a FIFO is a stream by design. */
function validateInputFile(field: string, file: string): void {
  const stats = statOrUndefined(file);
  if (!stats) throw new InvalidInputError(field, file, 'does not exist; must be a readable regular file or a FIFO');
  if (!stats.isFile() && !stats.isFIFO()) {
    throw new InvalidInputError(
      field,
      file,
      `is ${stats.isDirectory() ? 'a directory' : 'not a regular file'}; must be a readable regular file or a FIFO`,
    );
  }
  if (!accessible(file, constants.R_OK)) throw new InvalidInputError(field, file, 'is not readable by this process');
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function accessible(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}
