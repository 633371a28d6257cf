import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import { connect } from './engine/docker-engine.js';
import { InvalidInputError, parseOrThrow } from './invalid-input-error.js';
import { parseMounts, type MountSpec } from './mount-spec.js';
import { RunOptionsSchema, type ParsedRunOptions, type RunOptions } from './options.js';
import { runContainer, type RunSpec } from './run-container.js';
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
  return { image, args: [...args], mounts: localMounts, options: parsed, engine: parsed.engine ?? connect() };
}

/** Starts a prepared run. */
export function startRun(spec: RunSpec): ToolRun {
  return new ToolRun((channels) => runContainer(spec, channels), spec.options.signal);
}

function validateImage(image: unknown): asserts image is string {
  if (typeof image !== 'string' || image.trim() === '') {
    throw new InvalidInputError('image', image, 'must be a non-empty image reference such as "quay.io/biocontainers/samtools:1.22.1--h96c455f_0"');
  }
  if (/\s/.test(image)) throw new InvalidInputError('image', image, 'must not contain whitespace (put the command in args)');
}

function validateArgs(args: unknown): asserts args is string[] {
  if (!Array.isArray(args)) throw new InvalidInputError('args', args, 'must be an array of strings, e.g. ["samtools", "--version"]');
  args.forEach((arg, i) => {
    if (typeof arg !== 'string') throw new InvalidInputError(`args[${i}]`, arg, 'must be a string (convert numbers with String())');
  });
}

/** Files named in options must be usable before anything starts. */
function validatePaths(options: ParsedRunOptions): void {
  for (const name of ['stdout', 'stderr'] as const) {
    const sink = options[name];
    if (typeof sink === 'object' && !(sink instanceof Writable) && 'file' in sink) {
      const dir = dirname(sink.file);
      if (!existsSync(dir) || !statSync(dir).isDirectory()) {
        throw new InvalidInputError(`options.${name}.file`, sink.file, `its directory ${dir} must exist`);
      }
    }
  }
  const stdin = options.stdin;
  if (stdin && typeof stdin === 'object' && 'file' in stdin && typeof stdin.file === 'string' && !existsSync(stdin.file)) {
    throw new InvalidInputError('options.stdin.file', stdin.file, 'must be an existing file');
  }
}
