import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { constants } from 'node:os';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { CommandNotRunnableError, type KeptLocal, type LaunchedTool, type ToolIo } from '../tool-backend.js';
import { bounded } from '../../lifecycle/bounded.js';
import { CH_RUN_EXEC_FAILED } from './namespace-script.js';

/** Bytes of the tool's stderr kept to recognise ch-run's own "cannot execute" message. */
const HEAD_BYTES = 4096;

/**
 * One `ch-run` process tree: the Charliecloud side of {@link LaunchedTool}. Nothing exists before
 * start (a process cannot be created unstarted): stdin waits in a buffer that pushes back.
 * Spawned in a process group of its own (a Ctrl-C to us does not reach it) and, by its command
 * line, as the first process of its own pid namespace (ch-run-command.ts): killing it ends every
 * process the tool started, even one that left the group. Its command line also makes it die with
 * us when we are SIGKILLed (die-with-parent.ts).
 */
export class ChRunTool implements LaunchedTool {
  readonly id: string;
  readonly stdin: Writable | undefined;
  readonly outputEnded: Promise<void>;
  readonly exited: Promise<number>;
  private child: ChildProcess | undefined;
  private spawned!: (child: ChildProcess) => void;
  private dropped = false;
  private stderrHead = Buffer.alloc(0);

  /** `owned`: the run's stage directory (when it has mounts to stage) and variables file, removed at its end. */
  constructor(
    private readonly argv: string[],
    private readonly env: NodeJS.ProcessEnv,
    io: ToolIo,
    private readonly owned: { stageDir?: string | undefined; envFile?: string },
  ) {
    const { stageDir } = owned;
    this.id = `ch-run-${stageDir ? stageDir.slice(stageDir.lastIndexOf('/') + 1) : randomBytes(4).toString('hex')}`;
    this.stdin = io.stdin ? new PassThrough() : undefined;
    const child = new Promise<ChildProcess>((resolve) => (this.spawned = resolve));
    this.outputEnded = child.then(async (proc) => {
      await Promise.all([this.forward(proc.stdout!, io.stdout), this.forward(proc.stderr!, io.stderr, (chunk) => this.keepHead(chunk))]);
    });
    this.exited = child.then(
      (proc) =>
        new Promise<number>((resolve, reject) => {
          proc.once('error', reject); // ENOENT: unshare missing (doctor says so)
          proc.once('close', (code, signal) => {
            if (code === null) return resolve(128 + (signal ? constants.signals[signal] : 9));
            const notRunnable = code === 1 ? this.notRunnable() : undefined;
            if (notRunnable) reject(notRunnable);
            else resolve(code);
          });
        }),
    );
    this.outputEnded.catch(() => {});
    this.exited.catch(() => {});
  }

  async beforeStart(): Promise<void> {}

  async start(): Promise<void> {
    const proc = spawn(this.argv[0]!, this.argv.slice(1), { env: this.env, detached: true, stdio: [this.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    this.child = proc;
    if (this.stdin && proc.stdin) {
      // A tool may exit without reading all its stdin (EPIPE): not an error of the run.
      proc.stdin.on('error', () => {});
      (this.stdin as PassThrough).pipe(proc.stdin);
    }
    this.spawned(proc);
  }

  async kill(signal: AbortSignal): Promise<void> {
    const pid = this.child?.pid;
    if (pid === undefined) return; // never started
    try {
      process.kill(-pid, 'SIGKILL');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
    await bounded(
      this.exited.then(
        () => {},
        () => {},
      ),
      signal,
      'waiting for the killed tool to exit',
    );
  }

  dropOutput(): void {
    this.dropped = true;
    this.child?.stdout?.resume();
    this.child?.stderr?.resume();
  }

  async exitFacts(): Promise<{ oomKilled: boolean }> {
    return { oomKilled: false }; // no memory limit outside Slurm (guarantees.ts)
  }

  /** Bind mounts: outputs are already in place, nothing is kept over a tool's version. */
  async collectOutputs(): Promise<KeptLocal[]> {
    return [];
  }

  /** Kills a tool still running, then removes the stage directory (its mounts died with the namespace) and variables file. */
  async remove(signal: AbortSignal): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) await this.kill(signal);
    const { stageDir, envFile } = this.owned;
    const removals = [stageDir, envFile].flatMap((path) => (path ? [rm(path, { recursive: true, force: true })] : []));
    await bounded(Promise.all(removals), signal, "removing the run's stage directory and variables file");
  }

  /** Copies one output stream with backpressure until `dropOutput()`, then discards; ends `to`. */
  private forward(from: Readable, to: Writable, tap?: (chunk: Buffer) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      from.on('data', (chunk: Buffer) => {
        tap?.(chunk);
        if (this.dropped) return;
        if (!to.write(chunk)) {
          from.pause();
          to.once('drain', () => from.resume());
        }
      });
      from.once('error', reject);
      from.once('end', () => to.end(resolve));
      to.once('error', reject);
    });
  }

  private keepHead(chunk: Buffer): void {
    if (this.stderrHead.length < HEAD_BYTES) this.stderrHead = Buffer.concat([this.stderrHead, chunk]).subarray(0, HEAD_BYTES);
  }

  /** ch-run exits 1 with `can't execve(2): cmd: No such file or directory (… 2)` before the tool runs. */
  private notRunnable(): CommandNotRunnableError | undefined {
    return notRunnableFrom(this.stderrHead.toString('utf8'));
  }
}

/** ch-run's message for a command it could not execute, as a shell's exit code (127 missing, 126 not executable). */
export function notRunnableFrom(stderr: string): CommandNotRunnableError | undefined {
  const match = CH_RUN_EXEC_FAILED.exec(stderr);
  if (!match) return undefined;
  const errno = Number(match[3]);
  if (errno === constants.errno.ENOENT || errno === constants.errno.ENOTDIR)
    return new CommandNotRunnableError(127, 'not found in the image', match[0]);
  if (errno === constants.errno.EACCES || errno === constants.errno.ENOEXEC || errno === constants.errno.EISDIR)
    return new CommandNotRunnableError(126, 'not executable', match[0]);
  return undefined;
}
