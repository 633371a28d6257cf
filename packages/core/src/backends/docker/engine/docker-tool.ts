import type { KeptLocal } from '../transfer/mount-plan.js';
import type { Writable } from 'node:stream';
import type Docker from 'dockerode';
import { CommandNotRunnableError, type LaunchedTool, type StepContext, type ToolIo } from '../../tool-backend.js';
import { DockerDemuxer } from './demux.js';
import { noGpuSupport } from '../gpu-request.js';
import { bounded } from '../../../lifecycle/bounded.js';
import { removeContainer } from '../live-containers.js';
import type { MountPlan } from '../transfer/mount-plan.js';
import { daemonMessage } from './daemon-error.js';
import type { Attachment } from './docker-attach.js';
import type { DockerEngine } from './docker-engine.js';

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
  private readonly demuxer: DockerDemuxer;

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
    const stream = attachment.stream;
    // A tool may exit without reading all its stdin (EPIPE): not an error of the run. Real
    // connection failures still end the output below, and the wait reports the daemon's state.
    stream.on('error', () => {});
    this.stdin = io.stdin ? (stream as Writable) : undefined;
    this.demuxer = new DockerDemuxer(io.stdout, io.stderr, podman ? (text) => PODMAN_ATTACH_RESET.test(text) : undefined);
    this.outputEnded = new Promise<void>((resolve, reject) => {
      this.demuxer.once('finish', resolve);
      this.demuxer.once('error', reject);
      stream.once('error', (error) => reject(engine.explain(error)));
    });
    this.outputEnded.catch(() => {});
    stream.pipe(this.demuxer);
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
    return this.demuxer.notices.map((notice) =>
      `the tool's output may be incomplete: Podman's attach connection broke while the tool ran (Podman said "${notice}"); the exit code is the tool's`);
  }

  dropOutput(): void {
    this.demuxer.discard();
  }

  /**
   * The daemon learns of an OOM kill from a separate event that can arrive after the exit, so a
   * SIGKILL under a memory limit is re-read briefly before we call it a plain kill.
   */
  async exitFacts(exitCode: number, step: StepContext): Promise<{ oomKilled: boolean }> {
    const read = () => bounded(this.engine.containers.inspect(this.id), step.signal, 'reading the exit state').then((i) => i.State, () => undefined);
    let state = await read();
    for (let retry = 0; retry < 10 && exitCode === 137 && this.underMemoryLimit && state && !state.OOMKilled; retry++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      state = await read();
    }
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
  if (/executable file (?:not found|`[^`]*` not found)|exec: "[^"]*": stat [^:]*: no such file or directory|command that was not found/i.test(message)) {
    return new CommandNotRunnableError(127, 'not found in the image', message);
  }
  if (/exec: "[^"]*": permission denied|OCI permission denied/i.test(message)) return new CommandNotRunnableError(126, 'not executable', message);
  return undefined;
}
