import type { KeptLocal } from '../transfer/mount-plan.js';
import { randomBytes } from 'node:crypto';
import { PassThrough, type Duplex, type Writable } from 'node:stream';
import type { LaunchedTool, StepContext, ToolIo } from '../../tool-backend.js';
import { ToolOutput } from '../engine/tool-output.js';
import { bounded, RunAborted } from '../../../lifecycle/bounded.js';
import { pollUntil } from '../../../lifecycle/poll.js';
import { deferred } from '../../../util/deferred.js';
import type { ParsedRunOptions } from '../../../api/options.js';
import type { SessionContainer } from './docker-session.js';
import { SessionGoneError } from './docker-session.js';
import { callCommand, killCallCommand } from './session-helper.js';
import { admitCall, type AdmittedCall } from './call-admission.js';
import { runHelperExec } from './helper-exec.js';

/**
 * One call in a warm session: an exec in the session's container, the exec side of
 * {@link LaunchedTool}. Docker starts and attaches an exec in one request, so `launch` only
 * creates it and `start` attaches; stdin is buffered in a pass-through until then.
 * Docker cannot kill an exec: `kill` runs a second exec that kills the call's process session.
 * A call with an env of its own runs alone in the session (call-admission.ts).
 */
export class ExecTool implements LaunchedTool {
  readonly stdin: Writable | undefined;
  readonly outputEnded: Promise<void>;
  readonly exited: Promise<number>;
  private readonly output: ToolOutput;
  /** The exec's stream closed (or its output ended): its exit code can be read. */
  private readonly streamEnded = deferred<void>();
  /** The exec was asked to start, and has not been seen to end: remove() must then kill it. */
  private mayRun = false;

  private constructor(
    private readonly session: SessionContainer,
    readonly id: string,
    private readonly callId: string,
    private readonly admitted: AdmittedCall,
    io: ToolIo,
  ) {
    this.stdin = io.stdin ? new PassThrough() : undefined;
    this.output = new ToolOutput(io);
    this.outputEnded = this.output.ended;
    // The exec has ended once its stream has; its exit code is then read from the daemon.
    this.exited = this.streamEnded.promise.then(() => this.readExitCode()).finally(() => (this.mayRun = false));
    this.exited.catch(() => {});
  }

  /** Creates the exec (not started) once the call's turn came: its command, env, cwd, as the session's user. */
  static async create(session: SessionContainer, args: string[], options: ParsedRunOptions, io: ToolIo, step: StepContext): Promise<ExecTool> {
    session.assertAlive();
    const admitted = await admitCall(session, options.env, step);
    try {
      const [id, callId] = await ExecTool.createExec(session, args, options, io, step);
      return new ExecTool(session, id, callId, admitted, io);
    } catch (error) {
      admitted.abandon();
      throw error;
    }
  }

  private static async createExec(
    session: SessionContainer,
    args: string[],
    options: ParsedRunOptions,
    io: ToolIo,
    step: StepContext,
  ): Promise<[id: string, callId: string]> {
    const callId = randomBytes(8).toString('hex');
    const { user } = session.decided;
    const env = { ...(user.home ? { HOME: user.home } : {}), ...options.env };
    const exec = await bounded(
      session.engine
        .call(() =>
          session.handle().exec({
            Cmd: callCommand(callId, args),
            Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
            ...(options.cwd ? { WorkingDir: options.cwd } : {}),
            ...(user.user ? { User: user.user } : {}),
            AttachStdin: io.stdin,
            AttachStdout: true,
            AttachStderr: true,
            Tty: false,
          }),
        )
        .catch((error: unknown) => Promise.reject(goneOr(session, error))),
      step.signal,
      'creating the call',
    );
    return [exec.id, callId];
  }

  async beforeStart(): Promise<void> {
    // Inputs went in once, when the session opened.
  }

  async start(step: StepContext): Promise<void> {
    // Canceled before start: the exec is never started (a started one would run on unseen).
    if (step.signal.aborted) throw new RunAborted('starting the call');
    const exec = this.session.engine.docker.getExec(this.id);
    const starting = this.session.engine
      .call(() => exec.start({ hijack: true, stdin: this.stdin !== undefined, Detach: false, Tty: false }) as Promise<Duplex>)
      .catch((error: unknown) => Promise.reject(goneOr(this.session, error)));
    this.mayRun = true;
    const stream = await bounded(starting, step.signal, 'starting the call');
    stream.once('close', () => this.streamEnded.resolve());
    this.output.ended.then(
      () => this.streamEnded.resolve(),
      () => {},
    );
    this.output.connect(stream); // its errors (EPIPE on a stdin the tool did not read) are ignored: the exit code tells the rest
    if (this.stdin) (this.stdin as PassThrough).pipe(stream);
  }

  async kill(signal: AbortSignal): Promise<void> {
    // Canceled before the call recorded its pid: try again, 20 ms apart (at most 100 times), while it still runs.
    const killedOrEnded = async () => (await this.killOnce(signal)) === 'killed' || !(await this.pending(signal));
    await pollUntil(killedOrEnded, (done) => done, { delayMs: (tries) => (tries <= 100 ? 20 : undefined), signal, during: 'killing the call' });
  }

  /** Whether the exec may still run: not ended (ExitCode null) covers one whose start is still on its way too. */
  private async pending(signal: AbortSignal): Promise<boolean> {
    return await bounded(
      this.session.engine.call(() => this.session.engine.docker.getExec(this.id).inspect()),
      signal,
      'killing the call',
    ).then(
      (info) => info.Running || info.ExitCode === null || info.ExitCode === undefined,
      () => false,
    );
  }

  /** One kill exec; says whether the call had not recorded its pid yet. */
  private async killOnce(signal: AbortSignal): Promise<'killed' | 'not-started'> {
    const output = await runHelperExec(this.session, killCallCommand(this.callId), signal, 'killing the call');
    return output.includes('not-started') ? 'not-started' : 'killed';
  }

  dropOutput(): void {
    this.output.drop();
  }

  async exitFacts(): Promise<{ oomKilled: boolean }> {
    return { oomKilled: /out of memory/.test(this.session.goneReason ?? '') };
  }

  async collectOutputs(keep: boolean, step: StepContext): Promise<KeptLocal[]> {
    const { plan } = this.session.decided;
    // Copy mode: the call's writable outputs come back when it succeeded (or as copyOutputs says),
    // compared with what the container held after the previous call (sent-trees.ts).
    if (!plan.afterExit || !keep) return [];
    return await bounded(plan.afterExit(this.session.handle(), keep, step.signal), step.signal, 'copying outputs back');
  }

  async remove(signal: AbortSignal): Promise<void> {
    try {
      // An exec that ended is forgotten by the daemon by itself. One the run gave up on (canceled
      // while starting, or the exit never seen) may still run: its processes go now.
      if (this.mayRun && !this.session.goneReason) await this.kill(signal);
    } finally {
      // Only then may the next call in (one with its own env: once what this call left is gone).
      await this.admitted.leave(signal);
    }
  }

  /**
   * The daemon sets the exit code just after the stream ends: re-read briefly (20 × 5 ms, then
   * 50 ms apart, about 9 s in all), failing at once if the session's container is gone.
   */
  private async readExitCode(): Promise<number> {
    const exec = this.session.engine.docker.getExec(this.id);
    const inspect = () => {
      this.session.assertAlive();
      return this.session.engine.call(() => exec.inspect()).catch((error: unknown) => Promise.reject(goneOr(this.session, error)));
    };
    const ended = (info: { Running: boolean; ExitCode: number | null | undefined }) =>
      !info.Running && info.ExitCode !== null && info.ExitCode !== undefined;
    const info = await pollUntil(inspect, ended, {
      delayMs: (tries) => (tries > 200 ? undefined : tries <= 20 ? 5 : 50),
      during: "reading the call's exit code",
    });
    if (!ended(info))
      throw new Error(`the call's output ended but the daemon never reported its exit (session container ${this.session.id.slice(0, 12)})`);
    // A call that ended because its container died is the session's failure, not the tool's.
    if (this.session.goneReason) throw new SessionGoneError(this.session.goneReason);
    // A failure may be the container's death (its wait can tell us later): asked only for failures.
    if (info.ExitCode !== 0)
      await this.session.confirmAlive(AbortSignal.timeout(10_000)).catch((error: unknown) => {
        if (error instanceof SessionGoneError) throw error;
      });
    return info.ExitCode!;
  }
}

/** A failure because the session's container is gone is reported as that. */
function goneOr(session: SessionContainer, error: unknown): unknown {
  if (session.goneReason) return new SessionGoneError(session.goneReason);
  const message = (error as Error)?.message ?? '';
  if (/is not running|No such container/i.test(message))
    return new SessionGoneError(`the session's container ${session.id.slice(0, 12)} is not running any more; open a new session`);
  return error;
}
