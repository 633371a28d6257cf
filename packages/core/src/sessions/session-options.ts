import { z } from 'zod';
import { RunOptionsSchema } from '../api/options.js';

/**
 * Options of a call in a session: what can differ per call. The container's settings (user,
 * limits, network, mounts) were fixed when the session opened.
 */
export const CallOptionsSchema = RunOptionsSchema.pick({
  cwd: true,
  env: true,
  timeoutMs: true,
  signal: true,
  stdout: true,
  stderr: true,
  stdin: true,
  encoding: true,
  maxBuffer: true,
  copyOutputs: true,
  reject: true,
  onEvent: true,
  cache: true,
}).partial();

/** Options of {@link toolSession}: a tool container's settings, defaults for its calls, and the idle timeout. */
export const SessionOptionsSchema = RunOptionsSchema.omit({ stdin: true, stdout: true, stderr: true, timeoutMs: true })
  .extend({
    /** Close the session after this long without a call (default: stays open until `close()`). */
    idleTimeoutMs: z.number().int('must be a whole number of milliseconds').positive('must be positive').optional(),
  })
  .partial();

/** Per-call options of `session.run()`. */
export type CallOptions = z.input<typeof CallOptionsSchema>;
/** Options of `toolSession()`. */
export type SessionOptions = z.input<typeof SessionOptionsSchema>;
