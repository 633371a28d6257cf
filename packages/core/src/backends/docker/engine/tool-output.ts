import type { Readable } from 'node:stream';
import type { ToolIo } from '../../tool-backend.js';
import { DockerDemuxer } from './demux.js';

/**
 * A tool's multiplexed output — a container's attach stream (DockerTool) or an exec's
 * (ExecTool) — split into the run's sinks: the one output wiring of the Docker backend.
 * `ended` settles once both sinks took the end (or one failed).
 */
export class ToolOutput {
  readonly ended: Promise<void>;
  private readonly demuxer: DockerDemuxer;
  private fail!: (error: unknown) => void;

  /** `isRuntimeNotice`: stderr frames the runtime wrote itself (Podman), kept out of the tool's output. */
  constructor(io: ToolIo, isRuntimeNotice?: (text: string) => boolean) {
    this.demuxer = new DockerDemuxer(io.stdout, io.stderr, isRuntimeNotice);
    this.ended = new Promise<void>((resolve, reject) => {
      this.demuxer.once('finish', resolve);
      this.demuxer.once('error', reject);
      this.fail = reject;
    });
    this.ended.catch(() => {});
  }

  /**
   * Pipes the daemon's stream in. A tool may exit without reading all its stdin (EPIPE): not an
   * error of the run, so stream errors are ignored unless `explain` is given; then a stream
   * error ends the output with the explained error (a connection that broke mid-output).
   */
  connect(stream: Readable, explain?: (error: unknown) => unknown): void {
    stream.on('error', () => {});
    if (explain) stream.once('error', (error) => this.fail(explain(error)));
    stream.pipe(this.demuxer);
  }

  /** Runtime notices taken out of the tool's stderr. */
  get notices(): readonly string[] {
    return this.demuxer.notices;
  }

  /** After a kill: drop output instead of waiting for a reader that stopped reading. */
  drop(): void {
    this.demuxer.discard();
  }
}
