import { PassThrough, type Writable } from 'node:stream';
import { bounded } from '../packages/core/src/lifecycle/bounded.js';
import type {
  KeptLocal,
  LaunchedTool,
  PreparedTool,
  StepContext,
  ToolBackend,
  ToolIo,
  ToolRequest,
} from '../packages/core/src/backends/tool-backend.js';

/** The steps of a run the lifecycle (lifecycle/run-container.ts) drives through a backend. */
export type FakeStep = 'prepare' | 'launch' | 'beforeStart' | 'start' | 'running' | 'exitFacts' | 'collectOutputs';

/** What the fake tool does; every field optional (default: exits 0 at once, writing nothing). */
export interface FakeScript {
  /** Steps that never finish on their own: only the run's signal ends them. */
  hang?: FakeStep[];
  /** Steps that fail with this error. */
  fail?: Partial<Record<FakeStep, Error>>;
  exitCode?: number;
  stdout?: string;
  stderr?: string;
  /** `kill` rejects; the tool still exits `exitAfterFailedKillMs` later (a daemon that lost the call). */
  killFails?: boolean;
  exitAfterFailedKillMs?: number;
  /** `remove` rejects with this (e.g. the daemon went away: the removal is owed). */
  removeFails?: Error;
  /** Attempts (1-based) this script applies to; later attempts use `then` (retries). */
  then?: FakeScript;
  /** `exitFacts` says the tool was OOM-killed. */
  oomKilled?: boolean;
}

/**
 * A backend with no runtime behind it, for unit tests of the lifecycle and the layers through
 * the real seam (RunSpec.backend): each step logs itself, can hang (bounded only by the run's
 * signal), fail, or report an exit; a hanging step's entry is announced by {@link reached}.
 * Milliseconds per run, no daemon.
 */
export class FakeBackend implements ToolBackend {
  readonly endpoint = 'fake://';
  /** Every step entered, in order, across attempts (`launch#2` for a second attempt). */
  readonly log: string[] = [];
  private attempt = 0;
  private readonly waiters = new Map<string, Array<() => void>>();

  constructor(private readonly script: FakeScript = {}) {}

  explainError(error: unknown): string {
    return `fake says: ${error instanceof Error ? error.message : String(error)}`;
  }

  /** Resolves once the run entered `step` (for canceling at a chosen stage). */
  reached(step: FakeStep | 'kill' | 'remove'): Promise<void> {
    if (this.log.includes(step)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.set(step, [...(this.waiters.get(step) ?? []), resolve]));
  }

  async prepare(request: ToolRequest, step: StepContext): Promise<PreparedTool> {
    this.attempt++;
    const script = this.scriptOf(this.attempt);
    await this.enter('prepare', script, step.signal);
    return {
      imageId: `sha256:${'f'.repeat(64)}`,
      mounts: [],
      user: '1000:1000',
      launch: async (io, launchStep) => {
        await this.enter('launch', script, launchStep.signal);
        return new FakeTool(this, script, io, request.args);
      },
    };
  }

  private scriptOf(attempt: number): FakeScript {
    let script = this.script;
    for (let i = 1; i < attempt && script.then; i++) script = script.then;
    return script;
  }

  /** @internal Logs a step and wakes whoever waits for it. */
  note(step: string): void {
    this.log.push(step);
    for (const resolve of this.waiters.get(step) ?? []) resolve();
    this.waiters.delete(step);
  }

  /** @internal Logs a step, then hangs, fails or returns as scripted. */
  async enter(step: string, script: FakeScript, signal: AbortSignal | undefined): Promise<void> {
    this.note(step);
    const failure = script.fail?.[step as FakeStep];
    if (failure) throw failure;
    // As a real backend does: a step that waits is bounded by the run's signal (StepContext).
    if (script.hang?.includes(step as FakeStep)) await (signal ? bounded(new Promise<never>(() => {}), signal, step) : new Promise<never>(() => {}));
  }
}

class FakeTool implements LaunchedTool {
  readonly id = `fake-${Math.random().toString(16).slice(2, 10)}`;
  readonly stdin: Writable | undefined;
  readonly outputEnded: Promise<void>;
  readonly exited: Promise<number>;
  private exit!: (code: number) => void;

  constructor(
    private readonly backend: FakeBackend,
    private readonly script: FakeScript,
    private readonly io: ToolIo,
    args: string[],
  ) {
    const stdin = io.stdin ? new PassThrough() : undefined;
    stdin?.resume(); // the fake tool reads and discards its input
    this.stdin = stdin;
    this.exited = new Promise((resolve) => (this.exit = resolve));
    this.outputEnded = this.exited.then(() => undefined);
    void args;
  }

  beforeStart(step: StepContext): Promise<void> {
    return this.backend.enter('beforeStart', this.script, step.signal);
  }

  async start(step: StepContext): Promise<void> {
    await this.backend.enter('start', this.script, step.signal);
    void this.backend.enter('running', this.script, undefined).then(
      () => this.finish(this.script.exitCode ?? 0),
      () => this.finish(1),
    );
  }

  async kill(): Promise<void> {
    this.backend.note('kill');
    if (this.script.killFails) {
      setTimeout(() => this.finish(137), this.script.exitAfterFailedKillMs ?? 20);
      throw new Error('the daemon did not answer the kill');
    }
    this.finish(137);
  }

  dropOutput(): void {}

  async exitFacts(_code: number, step: StepContext): Promise<{ oomKilled: boolean }> {
    await this.backend.enter('exitFacts', this.script, step.signal);
    return { oomKilled: this.script.oomKilled ?? false };
  }

  async collectOutputs(_keep: boolean, step: StepContext): Promise<KeptLocal[]> {
    await this.backend.enter('collectOutputs', this.script, step.signal);
    return [];
  }

  async remove(): Promise<void> {
    this.backend.note('remove');
    if (this.script.removeFails) throw this.script.removeFails;
  }

  private finished = false;

  private finish(code: number): void {
    if (this.finished) return;
    this.finished = true;
    if (this.script.stdout) this.io.stdout.write(this.script.stdout);
    if (this.script.stderr) this.io.stderr.write(this.script.stderr);
    this.io.stdout.end();
    this.io.stderr.end();
    this.exit(code);
  }
}
