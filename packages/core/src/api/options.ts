import { isAbsolute } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { z } from 'zod';
import type { DockerEngine } from '../backends/docker/engine/docker-engine.js';
import { looksLikeEngine, type Engine } from '../backends/engine.js';
import type { ToolEvent } from '../lifecycle/events.js';
import { GpusSchema } from '../backends/docker/gpu-request.js';
import { RESERVED_LABEL_PREFIX } from '../backends/docker/labels.js';
import { RegistryAuthSchema } from '../registry/registry-auth.js';
import { retryOptionsSchema } from '../retry/retry-options.js';

const absolutePath = z
  .string()
  .min(1, 'must be a non-empty absolute path')
  .refine((p) => isAbsolute(p), 'must be an absolute path (relative paths are ambiguous across containers)');

const isReadable = (v: unknown): v is Readable => v instanceof Readable;
const isWritable = (v: unknown): v is Writable => v instanceof Writable;

/** Where a stream of the tool's output goes. */
export const OutputSinkSchema = z.union(
  [
    z.literal('capture'),
    z.literal('ignore'),
    z.object({ file: absolutePath }).strict(),
    z.custom<Writable>(isWritable, { message: 'must be "capture", "ignore", a Writable stream or { file: "/abs/path" }' }),
  ],
  { message: 'must be "capture", "ignore", a Writable stream or { file: "/abs/path" }' },
);

/** What the tool reads on its standard input. */
export const StdinSchema = z.union(
  [z.string(), z.instanceof(Uint8Array), z.object({ file: absolutePath }).strict(), z.custom<Readable>(isReadable)],
  { message: 'must be a string, a Buffer, a Readable stream or { file: "/abs/path" }' },
);

const userSchema = z.union(
  [z.literal('auto'), z.literal('image'), z.string().regex(/^\d+(:\d+)?$/, 'must be "auto", "image", "uid" or "uid:gid" (numeric)')],
  { message: 'must be "auto", "image", "uid" or "uid:gid" (numeric)' },
);

/** The daemon refuses a memory limit below 6 MiB. */
const MIN_MEMORY = 6 * 1024 * 1024;
const MEMORY_FORMS = 'must be a number of bytes or a size such as "512m", "2g" or "1.5GiB" (k, m, g, t; at least 6 MiB)';

// One check over both forms: parse first, then bound, so a malformed size never reaches the arithmetic.
const memorySchema = z.union([z.number(), z.string()], { error: MEMORY_FORMS }).superRefine((memory, ctx) => {
  const bytes = memoryToBytes(memory);
  if (Number.isNaN(bytes)) ctx.addIssue({ code: 'custom', message: MEMORY_FORMS });
  else if (bytes < MIN_MEMORY) ctx.addIssue({ code: 'custom', message: 'must be at least 6 MiB (the daemon refuses less)' });
  else if (bytes > Number.MAX_SAFE_INTEGER) ctx.addIssue({ code: 'custom', message: 'is too large to be a memory limit' });
});

/** The daemon turns cpus into a CFS quota per 100 000 µs period; the kernel refuses a quota under 1000 µs. */
const MIN_CPUS = 0.01;
const CPUS_FORMS = "must be a number of cores from 0.01 (the kernel's smallest CPU quota) to 1024, e.g. 0.5 or 2";

// Docker passes env as "NAME=value" C strings: "=" in a name splits it, NUL truncates, a newline corrupts.
const envName = z.string().regex(/^[^=\0\n]+$/, 'an environment variable name must be non-empty and contain no "=", NUL or newline');
const envValue = z.string().refine((v) => !v.includes('\0'), 'an environment variable value must not contain NUL');

const CACHE_FORMS = 'must be true, false, an absolute directory or { dir?: "/abs/dir", inputs?: "stat" | "content" }';

/** The `cache` option: where results are kept and how inputs are fingerprinted (docs/cache.md). */
export const CacheOptionSchema = z.union(
  [z.boolean(), absolutePath, z.object({ dir: absolutePath.optional(), inputs: z.literal(['stat', 'content']).optional() }).strict()],
  { message: CACHE_FORMS },
);

const TIMEOUT_FORMS = 'must be a whole number of milliseconds, > 0 and at most Number.MAX_SAFE_INTEGER (e.g. 600000 for 10 minutes)';

/** The `engine` option (here and wherever a call takes one). */
export const EngineSchema = z.custom<DockerEngine>(isDockerEngine, {
  message: 'must be a DockerEngine from connect()',
});

/** The `engine` of a run (runTool, runMany, recipes): a daemon, or a Slurm cluster from `connect({ slurm })`. */
export const RunEngineSchema = z.custom<Engine>(looksLikeEngine, {
  message: 'must be an engine from connect() (a DockerEngine, or a SlurmEngine from connect({ slurm }))',
});

function isDockerEngine(v: unknown): v is DockerEngine {
  return looksLikeEngine(v) && v.kind === 'docker';
}

/**
 * Options of `runTool`, validated with zod before any container exists.
 * Unknown keys are rejected (a typo must not be silently ignored). Wrappers that pass `runTool`
 * options through check them with it under their own field name.
 *
 * @example
 * ```ts
 * const RecipeRun = RunOptionsSchema.omit({ stdout: true, stdin: true });
 * parseOrThrow(RecipeRun, { cpu: 2 }, 'samtools.view.run');
 * // InvalidInputError: samtools.view.run.cpu: 2 is not valid: "cpu" is not a known option; valid options are cwd, env, …
 * ```
 */
// Fixed choices are z.literal([...]) rather than z.enum: the same check and message, and no
// enum object in the exported type, whose every member the API reference would have to document.
export const RunOptionsSchema = z
  .object({
    /** Working directory inside the tool container. */
    cwd: absolutePath.optional(),
    /** Extra environment variables for the tool. */
    env: z.record(envName, envValue).optional(),
    /** `"auto"` (default): the caller's uid:gid; `"image"`: the image's USER; or `"uid[:gid]"`. */
    user: userSchema.default('auto'),
    /** CPU limit, in cores (fractions down to 0.01: the kernel's CFS quota is at least 1 ms per 100 ms period). */
    cpus: z.number({ error: CPUS_FORMS }).min(MIN_CPUS, CPUS_FORMS).max(1024, CPUS_FORMS).optional(),
    /** Memory limit: bytes, or a size such as `"512m"`. Swap is disabled so the limit is real. */
    memory: memorySchema.optional(),
    /**
     * GPUs for the tool, as `docker run --gpus` takes them: `"all"`, a count, or device indexes /
     * UUIDs. Needs the NVIDIA Container Toolkit on the daemon (docs/gpus.md; `doctor()` says).
     */
    gpus: GpusSchema.optional(),
    /** Kill the tool after this many milliseconds (the run then fails with `timedOut: true`). */
    timeoutMs: z.number({ error: TIMEOUT_FORMS }).int(TIMEOUT_FORMS).positive(TIMEOUT_FORMS).optional(),
    /** Cancels the run: the container is killed and removed. */
    signal: z.instanceof(AbortSignal, { message: 'must be an AbortSignal' }).optional(),
    stdout: OutputSinkSchema.default('capture'),
    stderr: OutputSinkSchema.default('capture'),
    stdin: StdinSchema.optional(),
    /** How captured output is returned: strings (default) or Buffers. */
    encoding: z.literal(['utf8', 'buffer']).default('utf8'),
    /** Cap of captured bytes per stream; beyond it output is dropped and the result says so. */
    maxBuffer: z
      .number()
      .int()
      .positive()
      .default(64 * 1024 * 1024),
    /** Network mode of the tool container; `"none"` (default) is safer and starts faster. */
    network: z.string().min(1).default('none'),
    /** `"missing"` (default): pull only when absent; `"always"`; `"never"`. */
    pull: z.literal(['missing', 'always', 'never']).default('missing'),
    /**
     * Registry credentials for the pull (docs/images.md); default: found as the docker CLI finds
     * them (`DOCKER_CONFIG` / `~/.docker/config.json`: `credHelpers`, `credsStore`, `auths`).
     */
    auth: RegistryAuthSchema.optional(),
    /**
     * Copy mode only (a daemon that shares no filesystem with us): when writable mounts are copied
     * back — `"on-success"` (default; a failed run leaves local files as they were), `"always"`
     * (also keep what a failed run wrote), or `"never"`.
     */
    copyOutputs: z.literal(['on-success', 'always', 'never']).default('on-success'),
    /** Reject with a `ToolError` on failure (default) or resolve with the result. */
    reject: z.boolean().default(true),
    /** Extra container labels. Keys starting with `tooldock.` are reserved. */
    labels: z
      .record(
        z.string().refine((k) => !k.startsWith(RESERVED_LABEL_PREFIX), `label keys starting with "${RESERVED_LABEL_PREFIX}" are reserved`),
        z.string(),
      )
      .optional(),
    /** Override the image's entrypoint. */
    entrypoint: z.union([z.string(), z.array(z.string())]).optional(),
    /** The daemon to use; defaults to `connect()`. */
    engine: RunEngineSchema.optional(),
    /**
     * Hardening (docs/security.md). Maximum number of processes and threads in the tool container,
     * so a fork bomb cannot exhaust the host; `null` lifts the limit.
     */
    pidsLimit: z.number().int('must be a whole number').min(16, 'must be at least 16 (or null for no limit)').nullable().default(4096),
    /** Hardening: setuid binaries and file capabilities cannot raise the tool's privileges. */
    noNewPrivileges: z.boolean().default(true),
    /**
     * Hardening: Linux capabilities of the tool. `"auto"` (default): none for a non-root tool (it
     * could not use them), the daemon's default set for a root one; `"default"`: the daemon's
     * default set always; a list (e.g. `["CHOWN"]`): exactly those.
     */
    capabilities: z
      .union([z.literal(['auto', 'default']), z.array(z.string().regex(/^(CAP_)?[A-Z_]+$/, 'must be a capability name such as "CHOWN"'))], {
        message: 'must be "auto", "default" or a list of capability names such as ["CHOWN"]',
      })
      .default('auto'),
    /**
     * The daemon's socket is masked in every mount (a tool that reaches it owns the host). Set to
     * true only for a tool you trust to drive the daemon itself.
     */
    exposeDaemonSocket: z.boolean().default(false),
    /**
     * The result cache (docs/cache.md): `true` (the default directory), a directory, or
     * `{ dir?, inputs?: "stat" | "content" }`; `false` turns off a process-wide default.
     */
    cache: CacheOptionSchema.optional(),
    /**
     * Try a failed run again (docs/retries.md): `{ attempts, when?, backoffMs?, memory? }`, e.g.
     * `{ attempts: 3, memory: ["4g", "8g", "16g"] }` retries OOM kills and daemon hiccups with more memory.
     */
    retry: retryOptionsSchema(memorySchema).optional(),
    /** Receives progress and lifecycle events. */
    onEvent: z.custom<(event: ToolEvent) => void>((v) => typeof v === 'function', { message: 'must be a function' }).optional(),
  })
  .strict();

export type OutputSink = z.input<typeof OutputSinkSchema>;
export type StdinSource = z.input<typeof StdinSchema>;
/** Options accepted by `runTool`. */
export type RunOptions = z.input<typeof RunOptionsSchema>;
/** {@link RunOptions} after validation, with defaults applied. */
export type ParsedRunOptions = z.output<typeof RunOptionsSchema>;

/**
 * Converts `"512m"`-style sizes (as the docker CLI reads them: b, k, m, g, t, with optional
 * `i` and `b`) to bytes; NaN for anything else.
 */
export function memoryToBytes(memory: number | string): number {
  if (typeof memory === 'number') return Number.isSafeInteger(memory) ? memory : NaN;
  const match = /^(\d+(?:\.\d+)?)\s*(?:([kmgt])i?b?|b)?$/i.exec(memory.trim());
  if (!match) return NaN;
  const factor = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[(match[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Math.round(Number(match[1]) * factor);
}
