import { isAbsolute } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { z } from 'zod';
import type { DockerEngine } from './engine/docker-engine.js';
import type { ToolEvent } from './events.js';

const absolutePath = z
  .string()
  .min(1, 'must be a non-empty absolute path')
  .refine((p) => isAbsolute(p), 'must be an absolute path (relative paths are ambiguous across containers)');

const isReadable = (v: unknown): v is Readable => v instanceof Readable;
const isWritable = (v: unknown): v is Writable => v instanceof Writable;

/** Where a stream of the tool's output goes. */
export const OutputSinkSchema = z.union([
  z.literal('capture'),
  z.literal('ignore'),
  z.object({ file: absolutePath }).strict(),
  z.custom<Writable>(isWritable, { message: 'must be "capture", "ignore", a Writable stream or { file: "/abs/path" }' }),
], { message: 'must be "capture", "ignore", a Writable stream or { file: "/abs/path" }' });

/** What the tool reads on its standard input. */
export const StdinSchema = z.union([
  z.string(),
  z.instanceof(Uint8Array),
  z.object({ file: absolutePath }).strict(),
  z.custom<Readable>(isReadable),
], { message: 'must be a string, a Buffer, a Readable stream or { file: "/abs/path" }' });

const userSchema = z.union([
  z.literal('auto'),
  z.literal('image'),
  z.string().regex(/^\d+(:\d+)?$/, 'must be "auto", "image", "uid" or "uid:gid" (numeric)'),
], { message: 'must be "auto", "image", "uid" or "uid:gid" (numeric)' });

const memorySchema = z.union([
  z.number().int().min(6 * 1024 * 1024, 'must be at least 6 MiB (the daemon refuses less)'),
  z.string()
    .regex(/^\d+(\.\d+)?\s*[kmgKMG]i?[bB]?$|^\d+$/, 'must be bytes or a size like "512m" or "2g"')
    .refine((s) => memoryToBytes(s) >= 6 * 1024 * 1024, 'must be at least 6 MiB (the daemon refuses less)'),
]);

/**
 * Options of `runTool`, validated with zod before any container exists.
 * Unknown keys are rejected (a typo must not be silently ignored).
 */
export const RunOptionsSchema = z.object({
  /** Working directory inside the tool container. */
  cwd: absolutePath.optional(),
  /** Extra environment variables for the tool. */
  env: z.record(z.string(), z.string()).optional(),
  /** `"auto"` (default): the caller's uid:gid; `"image"`: the image's USER; or `"uid[:gid]"`. */
  user: userSchema.default('auto'),
  /** CPU limit, in cores (fractions allowed). */
  cpus: z.number().positive('must be a positive number of cores').max(1024).optional(),
  /** Memory limit: bytes, or a size such as `"512m"`. Swap is disabled so the limit is real. */
  memory: memorySchema.optional(),
  /** Kill the tool after this many milliseconds (the run then fails with `timedOut: true`). */
  timeoutMs: z.number().int('must be a whole number of milliseconds').positive('must be > 0').optional(),
  /** Cancels the run: the container is killed and removed. */
  signal: z.instanceof(AbortSignal, { message: 'must be an AbortSignal' }).optional(),
  stdout: OutputSinkSchema.default('capture'),
  stderr: OutputSinkSchema.default('capture'),
  stdin: StdinSchema.optional(),
  /** How captured output is returned: strings (default) or Buffers. */
  encoding: z.enum(['utf8', 'buffer']).default('utf8'),
  /** Cap of captured bytes per stream; beyond it output is dropped and the result says so. */
  maxBuffer: z.number().int().positive().default(64 * 1024 * 1024),
  /** Network mode of the tool container; `"none"` (default) is safer and starts faster. */
  network: z.string().min(1).default('none'),
  /** `"missing"` (default): pull only when absent; `"always"`; `"never"`. */
  pull: z.enum(['missing', 'always', 'never']).default('missing'),
  /**
   * Copy mode only (a daemon that shares no filesystem with us): when writable mounts are copied
   * back — `"on-success"` (default; a failed run leaves local files as they were), `"always"`
   * (also keep what a failed run wrote), or `"never"`.
   */
  copyOutputs: z.enum(['on-success', 'always', 'never']).default('on-success'),
  /** Reject with a `ToolError` on failure (default) or resolve with the result. */
  reject: z.boolean().default(true),
  /** Extra container labels. Keys starting with `tooldock.` are reserved. */
  labels: z.record(
    z.string().refine((k) => !k.startsWith('tooldock.'), 'label keys starting with "tooldock." are reserved'),
    z.string(),
  ).optional(),
  /** Override the image's entrypoint. */
  entrypoint: z.union([z.string(), z.array(z.string())]).optional(),
  /** The daemon to use; defaults to `connect()`. */
  engine: z.custom<DockerEngine>((v) => typeof v === 'object' && v !== null && 'docker' in v, {
    message: 'must be a DockerEngine from connect()',
  }).optional(),
  /** Receives progress and lifecycle events. */
  onEvent: z.custom<(event: ToolEvent) => void>((v) => typeof v === 'function', { message: 'must be a function' }).optional(),
}).strict();

export type OutputSink = z.input<typeof OutputSinkSchema>;
export type StdinSource = z.input<typeof StdinSchema>;
/** Options accepted by `runTool`. */
export type RunOptions = z.input<typeof RunOptionsSchema>;
/** {@link RunOptions} after validation, with defaults applied. */
export type ParsedRunOptions = z.output<typeof RunOptionsSchema>;

/** Converts `"512m"`-style sizes to bytes. */
export function memoryToBytes(memory: number | string): number {
  if (typeof memory === 'number') return memory;
  const match = /^(\d+(?:\.\d+)?)\s*([kmg]?)/i.exec(memory.trim())!;
  const factor = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.round(Number(match[1]) * factor);
}
