import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { session } from '../docker/process-session.js';
import { SlurmNotFoundError } from './slurm-cli.js';
import type { SlurmEngine } from './slurm-engine.js';

/** How srun ended: its exit code (or the signal that ended it) and the tail of what it printed. */
export interface StepExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** srun's own messages (the tool's output goes to the run's files, not here). */
  messages: string;
}

/** A run's step as the tool follows it: its own `srun` ({@link JobStep}) or a slot worker's task (slot-worker.ts). */
export interface StepHandle {
  readonly exited: Promise<StepExit>;
  /** Whether the step (or the worker's task) still runs. */
  readonly running: boolean;
  /** Before the step's id is known: ends it through its srun. */
  terminate(): void;
  /** A cancel of the step is under way: nothing else may be started in it. */
  retire(): void;
}

/**
 * One task of a fan-out as a job step in the fan-out's allocation: `srun --jobid=<allocation>
 * --exact -n1 … job.sh <run dir>` from this host. Slurm creates the step at once (no scheduling
 * pass): the allocation already holds its resources. The job script (job-script.ts) writes the
 * step's id and node to `step` as it starts, which is how the step is cancelled
 * (`scancel <job>.<step>`) and when its `timeoutMs` starts.
 */
export class JobStep implements StepHandle {
  readonly exited: Promise<StepExit>;
  private readonly srun: ChildProcess;

  constructor(readonly args: readonly string[]) {
    ({ srun: this.srun, ended: this.exited } = startSrun(args, { stdin: 'ignore', messagesFrom: ['stdout', 'stderr'] }));
  }

  /** Whether srun still runs (the step may exist or still be being created). */
  get running(): boolean {
    return srunRunning(this.srun);
  }

  /**
   * Before the step's id is known: srun forwards a TERM to the task it launched, or gives up a
   * step it is still creating.
   */
  terminate(): void {
    if (this.running) this.srun.kill('SIGTERM');
  }

  /** Its step runs this run alone. */
  retire(): void {}
}

/**
 * `srun` in a process group of its own (a Ctrl-C in the terminal is ours to handle, as a cancel,
 * not srun's); `ended` says how it ended, with the last 4 KiB of what `messagesFrom` printed
 * (srun's own messages, never the tool's output; `messages()` the same so far), naming a missing
 * `srun`. A stream not in `messagesFrom` is the caller's to read.
 */
export function startSrun(
  args: readonly string[],
  options: { stdin: 'ignore' | 'pipe'; messagesFrom: Array<'stdout' | 'stderr'> },
): { srun: ChildProcess; ended: Promise<StepExit>; messages: () => string } {
  const srun = spawn('srun', args, { stdio: [options.stdin, 'pipe', 'pipe'], detached: true });
  let messages = '';
  for (const stream of options.messagesFrom)
    srun[stream]!.setEncoding('utf8').on('data', (chunk: string) => (messages = (messages + chunk).slice(-4_096)));
  const ended = new Promise<StepExit>((resolve) => {
    srun.once('error', (error: NodeJS.ErrnoException) =>
      resolve({ code: null, signal: null, messages: error.code === 'ENOENT' ? new SlurmNotFoundError('srun').message : error.message }),
    );
    srun.once('close', (code, signal) => resolve({ code, signal, messages }));
  });
  return { srun, ended, messages: () => messages };
}

/** Whether an `srun` child has not ended yet. */
export function srunRunning(srun: ChildProcess): boolean {
  return srun.exitCode === null && srun.signalCode === null;
}

/**
 * `srun` flags of a run with an allocation of its own: the job's flags (as for `sbatch`), named
 * like every job of the session (the watchdog cancels it by that name when this process dies).
 */
export function ownAllocationArgs(engine: SlurmEngine, flags: readonly string[], runDir: string): string[] {
  return [
    `--job-name=${engine.jobName}`,
    `--comment=tooldock session=${session.id} pid=${session.pid} host=${session.host}`,
    ...flags,
    `--chdir=${runDir}`,
    '--quiet',
    ...(engine.options.srunArgs ?? []),
    engine.spool.script(),
    runDir,
  ];
}

/** The step's `<job>.<step>` and node, once its script started on the node (job-script.ts). */
export function readStepMarker(runDir: string): { stepId: string; node?: string } | undefined {
  let text: string;
  try {
    text = readFileSync(join(runDir, 'step'), 'utf8');
  } catch {
    return undefined;
  }
  // One line written by one printf (job-script.ts): without its newline it is still being written.
  if (!text.endsWith('\n')) return undefined;
  const [stepId, node] = text.trim().split(/\s+/);
  if (!stepId || !/^\d+\.\d+$/.test(stepId)) return undefined;
  return { stepId, ...(node ? { node } : {}) };
}
