import type { ChildProcess } from 'node:child_process';
import { srunRunning, startSrun, type StepExit, type StepHandle } from './job-step.js';

/**
 * One slot of a fan-out's allocation kept busy by one job step (`srun --exact -n1 job.sh
 * --worker`): the job script reads run directories from its stdin, one a line, runs each as a
 * step would (job-script.ts) and prints `done <code>` when its result is written. A task costs no
 * `srun`, no step creation in the controller and no process start here — what limited a fan-out
 * of short tasks. One task at a time, so a cancel ends the step (`scancel <job>.<step>`, the
 * step's cgroup: the task's whole tree) and the worker with it; the next task starts a new one.
 */
export class SlotWorker {
  private readonly srun: ChildProcess;
  private current: WorkerTask | undefined;
  private lineBuffer = '';
  /** srun's (and the job script's) messages so far: why a task ended without its result. */
  private readonly messages: () => string;
  /** Not to be given another task: it ended, or a cancel of its task is under way. */
  private retired = false;
  readonly ended: Promise<StepExit>;

  constructor(args: readonly string[]) {
    // srun's own messages come on stderr; stdout carries the worker's `done` lines.
    ({ srun: this.srun, ended: this.ended, messages: this.messages } = startSrun(args, { stdin: 'pipe', messagesFrom: ['stderr'] }));
    // A write after srun ended (its task's end is reported through `ended`) is no error of ours.
    this.srun.stdin!.on('error', () => {});
    this.srun.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.onOutput(chunk));
    // An idle worker must not keep a script alive that is done (a held allocation never released:
    // the watchdog gives it back); while a task runs, its run keeps the process alive.
    this.srun.unref();
    for (const stream of [this.srun.stdin, this.srun.stdout, this.srun.stderr]) (stream as unknown as { unref?: () => void }).unref?.();
    void this.ended.then((exit) => {
      this.retired = true;
      this.current?.settle(exit);
      this.current = undefined;
    });
  }

  /** Whether it can take a task now. */
  get idle(): boolean {
    return !this.retired && this.current === undefined;
  }

  /**
   * Sends it run directory `runDir` (it must be {@link idle}, and `runDir` passed
   * {@link refuseUnsendable} before any worker was taken or started for it).
   */
  run(runDir: string): WorkerTask {
    if (!this.idle) throw new Error('a slot worker runs one task at a time');
    const task = new WorkerTask(this);
    this.current = task;
    this.srun.stdin!.write(`${runDir}\n`);
    return task;
  }

  /** One directory a line: a line break would make the worker run two "tasks" and misattribute their ends. */
  static refuseUnsendable(runDir: string): void {
    if (/[\n\r]/.test(runDir)) throw new Error(`a run directory with a line break cannot be sent to a slot worker: ${JSON.stringify(runDir)}`);
  }

  /** No more tasks: it ends once its current one has (the allocation's end ends it anyway). */
  close(): void {
    this.retired = true;
    this.srun.stdin!.end();
  }

  /** @internal Its task is being cancelled: it takes no other, and a TERM to srun ends the step. */
  retire(): void {
    this.retired = true;
  }

  /** @internal */
  terminate(): void {
    if (srunRunning(this.srun)) this.srun.kill('SIGTERM');
  }

  private onOutput(chunk: string): void {
    this.lineBuffer += chunk;
    let end: number;
    while ((end = this.lineBuffer.indexOf('\n')) >= 0) {
      const line = this.lineBuffer.slice(0, end);
      this.lineBuffer = this.lineBuffer.slice(end + 1);
      // `srunArgs` may ask srun to label lines with the task number (`-l`) or use a pty (`\r`).
      const done = /^(?:\s*\d+: )?done (\d+)\r?$/.exec(line);
      if (!done || !this.current) continue;
      const task = this.current;
      this.current = undefined;
      task.settle({ code: Number(done[1]), signal: null, messages: this.messages() });
    }
  }
}

/** One task on a {@link SlotWorker}: ends when the worker reports it done, or when the worker ends. */
export class WorkerTask implements StepHandle {
  readonly exited: Promise<StepExit>;
  settle!: (exit: StepExit) => void;
  private over = false;

  constructor(private readonly worker: SlotWorker) {
    this.exited = new Promise((resolve) => {
      this.settle = (exit) => {
        this.over = true;
        resolve(exit);
      };
    });
  }

  get running(): boolean {
    return !this.over;
  }

  /** A cancel is coming (`scancel` of the step): the worker must not be handed the next task. */
  retire(): void {
    this.worker.retire();
  }

  terminate(): void {
    this.worker.retire();
    if (this.running) this.worker.terminate();
  }
}
