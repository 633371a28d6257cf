import type Docker from 'dockerode';
import { daemonStatus, type DaemonErrors } from './daemon-error.js';

/** One step of a pull as the daemon reports it: a layer's status, with bytes when it knows them. */
export interface PullProgress {
  status: string;
  /** The layer. */
  id?: string;
  current?: number;
  total?: number;
}

/** A line of the daemon's pull stream. */
interface PullEvent {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
}

/**
 * Every image call tooldock makes; one per engine (`engine.images`). Each goes through the
 * engine's {@link DaemonErrors}.
 */
export class ImageClient {
  constructor(
    private readonly docker: Docker,
    private readonly errors: DaemonErrors,
  ) {}

  /** The image's inspect data, or undefined when the daemon does not have it (404). */
  async inspect(image: string): Promise<Docker.ImageInspectInfo | undefined> {
    try {
      return await this.errors.call(() => this.docker.getImage(image).inspect());
    } catch (error) {
      if (daemonStatus(error) === 404) return undefined;
      throw error;
    }
  }

  /**
   * Pulls `image`, resolving when the daemon finished. The daemon answers 200 and reports a
   * failure later, as an `error` line in the stream: that line rejects, in the daemon's words.
   * `signal` aborts the request, which makes the daemon stop pulling too. `authconfig`: the
   * registry credentials (registry/find-credentials.ts).
   */
  async pull(
    image: string,
    { signal, onProgress, authconfig }: { signal: AbortSignal; onProgress: (progress: PullProgress) => void; authconfig?: object | undefined },
  ): Promise<void> {
    // docker-modem sends `authconfig` as the X-Registry-Auth header (never in the URL).
    const options = { abortSignal: signal, ...(authconfig ? { authconfig } : {}) };
    const stream = await this.errors.call(() => this.docker.pull(image, options) as Promise<NodeJS.ReadableStream>);
    await new Promise<void>((resolve, reject) => {
      let failure: string | undefined;
      this.docker.modem.followProgress(
        stream,
        (error: Error | null) => {
          if (error) reject(error);
          else if (failure) reject(new Error(failure));
          else resolve();
        },
        (event: PullEvent) => {
          if (event.error || event.errorDetail) failure ??= event.errorDetail?.message ?? event.error;
          else if (event.status) {
            onProgress({
              status: event.status,
              ...(event.id ? { id: event.id } : {}),
              ...(event.progressDetail?.total ? { current: event.progressDetail.current ?? 0, total: event.progressDetail.total } : {}),
            });
          }
        },
      );
    });
  }
}
