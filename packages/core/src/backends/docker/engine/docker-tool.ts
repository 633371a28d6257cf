import type { KeptLocal } from '../transfer/mount-plan.js';
import type { Writable } from 'node:stream';
import type Docker from 'dockerode';
import { CommandNotRunnableError, type LaunchedTool, type StepContext, type ToolIo } from '../../tool-backend.js';
import { noGpuSupport } from '../gpu-request.js';
import { bounded } from '../../../lifecycle/bounded.js';
import { pollUntil } from '../../../lifecycle/poll.js';
import { removeContainer } from '../live-containers.js';
import type { MountPlan } from '../transfer/mount-plan.js';
import { daemonMessage } from './daemon-error.js';
import type { Attachment } from './docker-attach.js';
import type { DockerEngine } from './docker-engine.js';
import { ToolOutput } from './tool-output.js';

/**
 * What Podman 4.3 writes into the tool's stderr when conmon resets its attach socket (a tool that
 * exits at once, under load): `Error: read unixpacket @->/…/attach: read: connection reset by peer`.
 */
const PODMAN_ATTACH_RESET = /^Error: read unixpacket \S*attach: .*connection reset by peer\s*$/;

/** A created, attached tool container: the Docker side of {@link LaunchedTool}. */
export class DockerTool implements LaunchedTool {
  readonly stdin: Writable | undefined;
  readonly outputEnded: Promise<void>;
  readonly exited: Promise<number>;
  private readonly output: ToolOutput;

  constructor(
    private readonly engine: DockerEngine,
    readonly id: string,
    private readonly plan: MountPlan,
    private readonly underMemoryLimit: boolean,
    attachment: Attachment,
    io: ToolIo,
    podman = false,
  ) {
    this.exited = attachment.exited;
    this.stdin = io.stdin ? (attachment.stream as Writable) : undefined;
    this.output = new ToolOutput(io, podman ? (text) => PODMAN_ATTACH_RESET.test(text) : undefined);
    this.outputEnded = this.output.ended;
    // A broken attach connection ends the output with the daemon's explanation; the wait reports its state.
    this.output.connect(attachment.stream, (error) => engine.explain(error));
  }

  async beforeStart(step: StepContext): Promise<void> {
    if (this.plan.beforeStart) await bounded(this.plan.beforeStart(this.handle(), step.signal), step.signal, 'copying inputs into the container');
  }

  async start(step: StepContext): Promise<void> {
    try {
      await bounded(this.engine.containers.start(this.id), step.signal, 'starting the container');
    } catch (error) {
      throw notRunnable(error) ?? noGpuSupport(daemonMessage(error), error) ?? error;
    }
  }

  async kill(signal: AbortSignal): Promise<void> {
    await bounded(this.engine.containers.kill(this.id), signal, 'killing the container');
  }

  /** Podman's attach broke (its text was kept out of the tool's stderr): the output may lack its end. */
  notes(): string[] {
    return this.output.notices.map(
      (notice) =>
        `the tool's output may be incomplete: Podman's attach connection broke while the tool ran (Podman said "${notice}"); the exit code is the tool's`,
    );
  }

  dropOutput(): void {
    this.output.drop();
  }

  /**
   * The daemon learns of an OOM kill from a separate event that can arrive after the exit, so a
   * SIGKILL under a memory limit is re-read briefly before we call it a plain kill.
   */
  async exitFacts(exitCode: number, step: StepContext): Promise<{ oomKilled: boolean }> {
    const read = () =>
      bounded(this.engine.containers.inspect(this.id), step.signal, 'reading the exit state').then(
        (i) => i.State,
        () => undefined,
      );
    const mayLearnOom = exitCode === 137 && this.underMemoryLimit;
    // Up to ten re-reads, 50 ms apart (the reads are bounded by the signal; a failed one ends it).
    const state = await pollUntil(read, (s) => !mayLearnOom || !s || s.OOMKilled, {
      delayMs: (tries) => (tries <= 10 ? 50 : undefined),
      during: 'reading the exit state',
    });
    return { oomKilled: state?.OOMKilled === true };
  }

  async collectOutputs(keep: boolean, step: StepContext): Promise<KeptLocal[]> {
    // The signal goes in too: a copy-back still running when the run is ended must not move outputs in after it settled.
    if (!this.plan.afterExit) return [];
    return await bounded(this.plan.afterExit(this.handle(), keep, step.signal), step.signal, 'copying outputs back');
  }

  async remove(signal: AbortSignal): Promise<void> {
    // If the daemon does not answer in time, the removal stays owed and is retried later.
    await bounded(removeContainer(this.engine, this.id), signal, 'removing the container');
  }

  /** The container as the mount plan's hooks receive it (the public seam predates the engine's clients). */
  private handle(): Docker.Container {
    return this.engine.docker.getContainer(this.id);
  }
}

/**
 * The daemon refuses to start a command that is missing from the image or not executable; the
 * docker CLI reports those as exit 127 and 126, as a shell would, and so do we.
 */
function notRunnable(error: unknown): CommandNotRunnableError | undefined {
  const message = daemonMessage(error);
  // Docker: `exec: "x": executable file not found in $PATH` or `exec: "/x": stat /x: no such file
  // or directory`; Podman (crun): "executable file `x` not found", "permission denied: OCI …".
  if (
    /executable file (?:not found|`[^`]*` not found)|exec: "[^"]*": stat [^:]*: no such file or directory|command that was not found/i.test(message)
  ) {
    return new CommandNotRunnableError(127, 'not found in the image', message);
  }
  if (/exec: "[^"]*": permission denied|OCI permission denied/i.test(message)) return new CommandNotRunnableError(126, 'not executable', message);
  return undefined;
}
