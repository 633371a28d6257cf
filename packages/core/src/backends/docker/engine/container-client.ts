import type { Duplex, Readable } from 'node:stream';
import type Docker from 'dockerode';
import { ignoreStatus, type DaemonErrors } from './daemon-error.js';
import { attachWithStdin } from './hijacked-attach.js';
import { registerWait, type ExitStatus } from './wait-exit.js';

/**
 * Every container call tooldock makes, by container id; one per engine (`engine.containers`).
 * Each goes through the engine's {@link DaemonErrors}, so an unreachable daemon reads the same
 * wherever it is met. Nothing here bounds or retries: the callers know how long they may wait.
 */
export class ContainerClient {
  constructor(
    private readonly docker: Docker,
    private readonly errors: DaemonErrors,
  ) {}

  /** Creates a container (not started); resolves with its id. */
  async create(config: Docker.ContainerCreateOptions): Promise<string> {
    return (await this.errors.call(() => this.docker.createContainer(config))).id;
  }

  /** The container's state, config and mounts as the daemon knows them. */
  inspect(id: string): Promise<Docker.ContainerInspectInfo> {
    return this.errors.call(() => this.docker.getContainer(id).inspect());
  }

  /**
   * Containers carrying `label` (`key` or `key=value`): running ones, or with `all` stopped and
   * created ones too, optionally only in the given states.
   */
  listByLabel(label: string, options: { all?: boolean; status?: string[] } = {}): Promise<Docker.ContainerInfo[]> {
    const { all = false, status } = options;
    const filters = { label: [label], ...(status ? { status } : {}) };
    return this.errors.call(() => this.docker.listContainers({ all, filters }));
  }

  /** Starts a created container (attach and register the wait first, see docker-attach.ts). */
  async start(id: string): Promise<void> {
    await this.errors.call(() => this.docker.getContainer(id).start());
  }

  /** Kills the container (SIGKILL); one already gone (404) or not running (409) is fine. */
  async kill(id: string): Promise<void> {
    await this.errors.call(() => this.docker.getContainer(id).kill()).catch(ignoreStatus(404, 409));
  }

  /** Force-removes the container and its anonymous volumes; one already gone (404) or being removed (409) is fine. */
  async remove(id: string): Promise<void> {
    await this.errors.call(() => this.docker.getContainer(id).remove({ force: true, v: true })).catch(ignoreStatus(404, 409));
  }

  /** Extracts a tar stream into the container's filesystem at `path`. */
  async putArchive(id: string, tar: NodeJS.ReadableStream, path: string): Promise<void> {
    await this.errors.call(() => this.docker.getContainer(id).putArchive(tar, { path }));
  }

  /** A tar stream of `path` in the container (named relative to its parent, as `docker cp` does). */
  async getArchive(id: string, path: string): Promise<Readable> {
    return (await this.errors.call(() => this.docker.getContainer(id).getArchive({ path }))) as unknown as Readable;
  }

  /**
   * Attaches to a created (not yet started) container's multiplexed stdout/stderr, and with
   * `stdin` to its stdin too (a hijacked duplex, see hijacked-attach.ts). Resolves once the
   * daemon answered, i.e. the attach is in place, so starting afterwards loses no output.
   */
  attach(id: string, { stdin }: { stdin: boolean }): Promise<Readable | Duplex> {
    return this.errors.call(async () =>
      stdin
        ? attachWithStdin(this.docker, id)
        : ((await this.docker.getContainer(id).attach({ stream: true, stdout: true, stderr: true })) as unknown as Readable),
    );
  }

  /**
   * Registers a wait for the container's next exit; resolves once the daemon confirmed it (see
   * wait-exit.ts), with the exit status to come. Its failure (the daemon went away) is explained too.
   */
  async registerWait(id: string): Promise<{ exited: Promise<ExitStatus> }> {
    const { exited } = await this.errors.call(() => registerWait(this.docker, id));
    const explained = exited.catch((error: unknown) => Promise.reject(this.errors.explain(error)));
    explained.catch(() => {}); // observed by whoever awaits it; an early failure must not be "unhandled"
    return { exited: explained };
  }
}
