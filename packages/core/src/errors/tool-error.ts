import type { Captured, ResolvedMount } from '../api/run-result.js';
import { TooldockError } from './tooldock-error.js';

const brand: unique symbol = Symbol.for('tooldock.ToolError') as never;
// Node's util.inspect hook, by its registered name: no node:util import, and Deno honours it too.
const inspectCustom = Symbol.for('nodejs.util.inspect.custom');

/** The fields a {@link ToolError} carries; each is known only as far as the run got. */
export interface ToolErrorDetails {
  image: string;
  args: string[];
  command: string;
  imageId?: string;
  containerId?: string;
  exitCode?: number;
  stdout?: Captured;
  stderr?: Captured;
  stderrTail?: string;
  durationMs?: number;
  startedAt?: Date;
  finishedAt?: Date;
  mounts?: ResolvedMount[];
  user?: string;
  notes?: string[];
  /** The signal that ended the tool, derived from exit codes above 128 (137 → SIGKILL). */
  signal?: string;
  failed?: boolean;
  oomKilled?: boolean;
  killed?: boolean;
  timedOut?: boolean;
  canceled?: boolean;
  /** Attempts made (`retry`); 1 when the run was not retried. */
  attempts?: number;
  cause?: unknown;
}

/**
 * A run that failed: non-zero exit, killed, timed out, canceled, or the daemon refused it.
 * Shaped like {@link RunResult}, plus what went wrong. `message` names the image, the command
 * and the last lines of stderr; `shortMessage` is the first line alone.
 *
 * @example
 * ```ts
 * try { await runTool(image, ['samtools', 'view', 'missing.bam']); }
 * catch (error) {
 *   if (isToolError(error)) console.log(error.exitCode, error.stderrTail);
 * }
 * ```
 */
export class ToolError extends TooldockError {
  readonly code = 'ERR_TOOLDOCK_TOOL_FAILED';
  override readonly name = 'ToolError';
  readonly [brand] = true;
  readonly shortMessage: string;
  readonly image: string;
  readonly args: string[];
  readonly command: string;
  readonly imageId: string | undefined;
  readonly containerId: string | undefined;
  readonly exitCode: number | undefined;
  readonly stdout: Captured;
  readonly stderr: Captured;
  readonly stderrTail: string;
  readonly durationMs: number | undefined;
  readonly startedAt: Date | undefined;
  readonly finishedAt: Date | undefined;
  readonly mounts: ResolvedMount[];
  readonly user: string | undefined;
  readonly notes: string[];
  readonly signal: string | undefined;
  readonly oomKilled: boolean;
  readonly killed: boolean;
  readonly timedOut: boolean;
  readonly canceled: boolean;
  /** How many attempts were made: 1 unless `retry` tried again (the message then says "after N attempts"). */
  readonly attempts: number;

  constructor(shortMessage: string, details: ToolErrorDetails) {
    const tail = details.stderrTail ?? '';
    super(composeMessage(shortMessage, details.image, details.command, tail), { cause: details.cause });
    this.shortMessage = shortMessage;
    this.image = details.image;
    this.args = details.args;
    this.command = details.command;
    this.imageId = details.imageId;
    this.containerId = details.containerId;
    this.exitCode = details.exitCode;
    this.stdout = details.stdout;
    this.stderr = details.stderr;
    this.stderrTail = tail;
    this.durationMs = details.durationMs;
    this.startedAt = details.startedAt;
    this.finishedAt = details.finishedAt;
    this.mounts = details.mounts ?? [];
    this.user = details.user;
    this.notes = details.notes ?? [];
    this.signal = details.signal;
    this.oomKilled = details.oomKilled ?? false;
    this.killed = details.killed ?? false;
    this.timedOut = details.timedOut ?? false;
    this.canceled = details.canceled ?? false;
    this.attempts = details.attempts ?? 1;
  }

  /**
   * What `console.log(error)`, an uncaught rejection or a notebook kernel prints: the message
   * (what failed, image, command, stderr tail) without the stack and the captured output, which
   * would bury it (the fields stay on the object).
   */
  [inspectCustom](): string {
    const notes = this.notes.length ? `\n  notes:   ${this.notes.join('; ')}` : '';
    return `${this.name}: ${this.message}${notes}`;
  }
}

/**
 * True for a {@link ToolError}, even one from another copy of this package.
 *
 * @example
 * ```ts
 * try { await runTool(image, ['false']); }
 * catch (error) { if (isToolError(error)) console.log(error.exitCode); } // 1
 * ```
 */
export function isToolError(value: unknown): value is ToolError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

function composeMessage(shortMessage: string, image: string, command: string, stderrTail: string): string {
  const lines = [shortMessage, `  image:   ${image}`, `  command: ${command}`];
  if (stderrTail) lines.push('  stderr (last lines):', ...stderrTail.split('\n').map((l) => `    ${l}`));
  return lines.join('\n');
}

/** The last `maxLines` non-empty lines of `text`, each capped so a binary blob stays readable. */
export function tailOf(text: string, maxLines = 10, maxLineLength = 500): string {
  const lines = text.replace(/\s+$/, '').split(/\r?\n/).slice(-maxLines);
  return lines.map((l) => (l.length > maxLineLength ? `${l.slice(0, maxLineLength)}…` : l)).join('\n');
}

/** Quote args the way a shell user would type them, for messages. */
export function formatCommand(args: readonly string[]): string {
  return args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
