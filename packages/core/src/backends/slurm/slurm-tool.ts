import { createWriteStream, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { KeptLocal, LaunchedTool, StepContext, ToolIo } from '../tool-backend.js';
import type { EventListener } from '../../lifecycle/events.js';
import { bounded } from '../../lifecycle/bounded.js';
import { fanOutMembership } from './fan-out-arrays.js';
import type { FanOutSteps } from './fan-out-steps.js';
import { FileFollower } from './file-follower.js';
import { JobStep, ownAllocationArgs, readStepMarker, type StepExit, type StepHandle } from './job-step.js';
import { jobEnded, type JobStatus } from './job-watcher.js';
import type { SlurmEngine } from './slurm-engine.js';
import { deferred } from '../../util/deferred.js';

/** How long a job that Slurm says has ended may take to show its result file (shared-filesystem lag). */
const RESULT_LAG_MS = 5_000;
/** How often a run looks at its spool files: a running job's output streams. */
const RUNNING_POLL_MS = 100;
const OTHER_POLL_MS = 250;
/**
 * A queued element of a fan-out's arrays: a thousand of them must not read files four times a
 * second each, and Slurm starts the next element without waiting for us to see this one end.
 */
const QUEUED_IN_FAN_OUT_POLL_MS = 1_000;
/** After a step's TERM, how long its script may take to remove its container before Slurm's SIGKILL. */
const STEP_TERM_GRACE_MS = 30_000;

/** A job submitted for one run: the Slurm side of {@link LaunchedTool}. */
export class SlurmTool implements LaunchedTool {
  readonly stdin: Writable | undefined;
  readonly outputEnded: Promise<void>;
  readonly exited: Promise<number>;
  private readonly stdout: FileFollower;
  private readonly stderr: FileFollower;
  private settle!: { exit(code: number): void; output(): void; fail(error: unknown): void };
  private jobId: Promise<string> | undefined;
  private status: JobStatus = { state: 'UNSUBMITTED' };
  private oomKilled = false;
  private killed = false;
  private stopped = false;
  private step: StepContext | undefined;
  private wake: () => void = () => {};
  private inFanOut = false;
  /** Resolves once a spooled stdin is complete (the job is submitted only then). */
  private readonly stdinSpooled: Promise<void> | undefined;
  /** A job step in a fan-out's allocation: srun, once a slot was free. */
  private jobStep: Promise<StepHandle> | undefined;
  /** `<allocation>.<step>`, once the step's script started on its node. */
  private stepId: string | undefined;
  private stepExit: StepExit | undefined;

  /**
   * `asStep`: the run is a job step of that fan-out's allocation, or (`'srun'`) the one step of
   * an allocation of its own (`srun`, started at once when the cluster has room); otherwise a
   * batch job (an element of a job array).
   */
  constructor(
    private readonly engine: SlurmEngine,
    readonly id: string,
    private readonly dir: string,
    private readonly flags: string[],
    io: ToolIo,
    private readonly emit: EventListener,
    private readonly asStep?: FanOutSteps | 'srun',
  ) {
    this.stdout = new FileFollower(join(dir, 'out'), io.stdout);
    this.stderr = new FileFollower(join(dir, 'err'), io.stderr);
    this.stdin = io.stdin ? spoolStdin(dir) : undefined;
    this.stdinSpooled =
      this.stdin &&
      new Promise((resolve, reject) => {
        this.stdin!.once('finish', () => resolve());
        this.stdin!.once('error', reject);
      });
    this.stdinSpooled?.catch(() => {});
    const exited = deferred<number>();
    const outputEnded = deferred<void>();
    this.exited = exited.promise;
    this.outputEnded = outputEnded.promise;
    this.settle = { exit: exited.resolve, output: () => outputEnded.resolve(), fail: (error) => (exited.reject(error), outputEnded.reject(error)) };
    this.exited.catch(() => {});
    this.outputEnded.catch(() => {});
  }

  async beforeStart(): Promise<void> {}

  /**
   * Submits (into its fan-out's job arrays, or batched with runs starting at the same time) and
   * follows the job. `timeoutMs` counts from when the job starts running, not while it queues.
   */
  async start(step: StepContext): Promise<void> {
    this.step = step;
    step.timeoutWaits?.();
    // A job waiting for its input would hold a slot the job producing that input may need.
    if (this.stdinSpooled) await bounded(this.stdinSpooled, step.signal, 'spooling stdin to the shared filesystem');
    const member = fanOutMembership();
    this.inFanOut = member !== undefined;
    if (this.asStep) return this.startStep(this.asStep, member?.index ?? 0, step);
    this.jobId = member ? member.arrays.submit(member.index, this.flags, this.dir) : this.engine.submitter.submit(this.flags, this.dir);
    this.jobId.catch(() => {});
    const jobId = await bounded(this.jobId, step.signal, 'submitting the job to Slurm');
    this.onStatus(jobId, { state: 'PENDING' });
    const unwatch = this.engine.watcher.watch(jobId, (status) => this.onStatus(jobId, status));
    void this.follow(jobId).finally(unwatch);
  }

  /** A job step: srun once the allocation has a free slot; the step's id once it runs. */
  private async startStep(asStep: FanOutSteps | 'srun', index: number, step: StepContext): Promise<void> {
    this.jobStep =
      asStep === 'srun'
        ? Promise.resolve(new JobStep(ownAllocationArgs(this.engine, this.flags, this.dir)))
        : asStep.launch(index, this.flags, this.dir, step.signal);
    this.jobStep.catch(() => {});
    const jobStep = await bounded(this.jobStep, step.signal, "waiting for a slot in the fan-out's Slurm allocation");
    // srun's own allocation has no id before its step starts; a fan-out's is known.
    const allocationId = asStep === 'srun' ? '' : (asStep.allocationId ?? '');
    // Pending until its script starts on the node (then RUNNING, and its timeout's clock starts).
    if (allocationId) this.onStatus(allocationId, { state: 'PENDING' });
    else this.status = { state: 'PENDING' };
    void jobStep.exited.then((exit) => {
      this.probeStep();
      this.stepExit = exit;
      this.onStatus(this.stepId ?? allocationId, { ...this.status, state: exit.code === 0 ? 'COMPLETED' : 'FAILED' });
    });
    void this.follow(allocationId);
  }

  /** The step's id and node from its marker (job-script.ts): it runs from then on. */
  private probeStep(): void {
    if (this.stepId) return;
    const marker = readStepMarker(this.dir);
    if (!marker) return;
    this.stepId = marker.stepId;
    if (this.status.state === 'PENDING') this.onStatus(marker.stepId, { state: 'RUNNING', ...(marker.node ? { node: marker.node } : {}) });
  }

  /**
   * `scancel <job>.<step>` (Slurm signals the step, whose script removes the container); a step
   * not started yet is given up through its srun.
   */
  private async killStep(jobStepPromise: Promise<StepHandle>, signal: AbortSignal): Promise<void> {
    const jobStep = await bounded(jobStepPromise, signal, 'waiting for the job step').catch(() => undefined);
    if (!jobStep?.running) return; // never started, or over
    this.probeStep();
    // A slot worker whose task is being cancelled must not start the next one in this step.
    jobStep.retire();
    if (this.stepId) {
      const stepId = this.stepId;
      await this.engine.canceller.cancel(stepId, signal);
      // The script ends within seconds of its TERM (job-script.ts); a step that does not is killed.
      const escalate = setTimeout(
        () => jobStep.running && void this.engine.canceller.killStep(stepId, AbortSignal.timeout(60_000)).catch(() => {}),
        STEP_TERM_GRACE_MS,
      );
      escalate.unref();
      void jobStep.exited.then(() => clearTimeout(escalate));
    } else {
      jobStep.terminate();
    }
    this.wake();
  }

  /** `scancel`: Slurm signals the job, whose script removes the container (job-script.ts). */
  async kill(signal: AbortSignal): Promise<void> {
    this.killed = true;
    if (this.jobStep) return this.killStep(this.jobStep, signal);
    const jobId = this.jobId && (await bounded(this.jobId, signal, 'waiting for the job id').catch(() => undefined));
    if (!jobId) return; // never submitted
    await this.engine.canceller.cancel(jobId, signal);
    this.engine.watcher.poke();
  }

  dropOutput(): void {
    this.stdout.drop();
    this.stderr.drop();
  }

  async exitFacts(): Promise<{ oomKilled: boolean }> {
    return { oomKilled: this.oomKilled };
  }

  async collectOutputs(): Promise<KeptLocal[]> {
    return [];
  }

  /** Cancels a job still queued or running, then removes the run's spool directory. */
  async remove(signal: AbortSignal): Promise<void> {
    this.stopped = true;
    if (this.jobStep) {
      try {
        if (!existsSync(join(this.dir, 'result'))) await this.killStep(this.jobStep, signal);
      } finally {
        rmSync(this.dir, { recursive: true, force: true });
      }
      return;
    }
    try {
      const jobId = this.jobId && (await bounded(this.jobId, signal, 'waiting for the job id').catch(() => undefined));
      if (jobId && !jobEnded(this.status.state) && !existsSync(join(this.dir, 'result'))) {
        await this.engine.canceller.cancel(jobId, signal);
      }
    } finally {
      // Even when scancel failed: a job that starts later finds no task and ends at once.
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private onStatus(jobId: string, status: JobStatus): void {
    // The clock of `timeoutMs` starts when the job leaves the queue (Slurm's `--time` does too).
    if (status.state !== 'PENDING' && this.status.state === 'PENDING') this.step?.timeoutStartsNow?.();
    this.status = status;
    this.wake();
    // srun's own allocation has no id before its step starts: nothing to tell yet.
    if (jobId) this.emit({ type: 'job:state', jobId, state: status.state, ...(status.node ? { node: status.node } : {}) });
  }

  /** Streams the output files while the job runs; settles once the node wrote the result. */
  private async follow(jobId: string): Promise<void> {
    let endedAt: number | undefined;
    try {
      while (!this.stopped) {
        if (this.jobStep) this.probeStep();
        // A queued job has no output yet: only its result (it may run and end between two squeue polls).
        if (this.status.state !== 'PENDING') await this.pump();
        const result = readResult(this.dir);
        if (result) {
          this.learnNode(jobId, result.node);
          return await this.finish(() => ((this.oomKilled = result.oom), result.exitCode));
        }
        if (jobEnded(this.status.state)) {
          endedAt ??= Date.now();
          // A step that never started (srun refused it) has no result to wait for.
          const neverStarted = this.stepExit !== undefined && this.stepId === undefined;
          if (this.killed || neverStarted || Date.now() - endedAt > RESULT_LAG_MS) return await this.finish(() => this.endedWithoutResult(jobId));
        }
        await this.nap(this.pollInterval());
      }
    } catch (error) {
      this.settle.fail(error);
    }
  }

  /**
   * A short job can run and end between two `squeue` polls: its node is then known only from
   * the result the node wrote. A job that wrote its result ran, so a still-PENDING one is RUNNING.
   */
  private learnNode(jobId: string, node: string | undefined): void {
    if (!node || this.status.node) return;
    this.onStatus(jobId, { ...this.status, state: this.status.state === 'PENDING' ? 'RUNNING' : this.status.state, node });
  }

  private pollInterval(): number {
    // A step waits for nothing but its own start: no queue to be patient with.
    if (this.jobStep) return this.status.state === 'RUNNING' ? RUNNING_POLL_MS : OTHER_POLL_MS;
    if (this.status.state === 'RUNNING') return RUNNING_POLL_MS;
    return this.status.state === 'PENDING' && this.inFanOut ? QUEUED_IN_FAN_OUT_POLL_MS : OTHER_POLL_MS;
  }

  /** Waits `ms`, or less when the job's state changes (a queued job that starts is followed at once). */
  private nap(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => (clearTimeout(timer), resolve());
    });
  }

  private async pump(): Promise<void> {
    await Promise.all([this.stdout.pump(), this.stderr.pump()]);
  }

  private async finish(exitCode: () => number): Promise<void> {
    await this.pump();
    await Promise.all([this.stdout.end(), this.stderr.end()]);
    this.settle.output();
    this.settle.exit(exitCode());
  }

  /** Slurm ended the job before its script could report: out of memory, cancelled, node failure. */
  private endedWithoutResult(jobId: string): number {
    const { state, reason } = this.status;
    if (state === 'OUT_OF_MEMORY') {
      this.oomKilled = true;
      return 137;
    }
    if (this.killed) return 143;
    if (this.stepExit) {
      const how = this.stepExit.signal ? `srun was ended by ${this.stepExit.signal}` : `srun exited ${this.stepExit.code}`;
      const messages = this.stepExit.messages.trim() || 'srun printed nothing';
      if (!this.stepId) throw new Error(`srun could not start the run (${how}): ${messages}`);
      throw new Error(`Slurm job step ${this.stepId} ended (${how}) before the tool's exit code was written: ${messages}`);
    }
    throw new Error(
      `Slurm job ${jobId} ended as ${state}${reason ? ` (${reason})` : ''} before the tool's exit code was written (see \`scontrol show job ${jobId}\` and the job's log in ${this.engine.spool.dir})`,
    );
  }
}

/** The node's exit report: `<exitCode> <oomKilled> <node>` and a newline (read only once complete). */
export function readResult(dir: string): { exitCode: number; oom: boolean; node?: string } | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, 'result'), 'utf8');
  } catch {
    return undefined;
  }
  // Written by one printf (job-script.ts): without its newline it is still being written.
  if (!text.endsWith('\n')) return undefined;
  const [code, oom, node] = text.trim().split(/\s+/);
  const exitCode = Number(code);
  if (!Number.isInteger(exitCode) || exitCode < 0 || exitCode > 255)
    throw new Error(`the job's result file in ${dir} is not an exit code: ${JSON.stringify(text.slice(0, 40))}`);
  return { exitCode, oom: oom === 'true', ...(node ? { node } : {}) };
}

/** stdin goes to a file on the shared filesystem; the job is submitted once it is complete. */
function spoolStdin(dir: string): Writable {
  writeFileSync(join(dir, 'stdin.wait'), '');
  const stream = createWriteStream(join(dir, 'stdin'), { mode: 0o600 });
  stream.once('finish', () => writeFileSync(join(dir, 'stdin.done'), ''));
  return stream;
}
