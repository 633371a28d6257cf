import type Docker from 'dockerode';
import { toolUser, userMapping } from '../identity/caller-user.js';
import { containerConfig } from '../container-config.js';
import { daemonSocketGuard } from '../daemon-socket.js';
import { ensureImage } from '../ensure-image.js';
import { identityRequest, provideIdentity } from '../identity/provide-identity.js';
import { bounded } from '../../../lifecycle/bounded.js';
import { liveContainers, removeContainer, settleOwedRemovals } from '../live-containers.js';
import { currentReaper } from '../reaper/reaper.js';
import { ensureSignalHandlers } from '../../../shutdown/signal-handlers.js';
import type { MountPlan } from '../transfer/mount-plan.js';
import { decideTransfer } from '../transfer/transfer-decision.js';
import type { PreparedTool, StepContext, ToolBackend, ToolIo, ToolRequest } from '../../tool-backend.js';
import type { DockerEngine } from './docker-engine.js';
import { attachContainer } from './docker-attach.js';
import { DockerTool } from './docker-tool.js';
import { explainDaemonError } from './daemon-error.js';

/**
 * The Docker (and Podman) implementation of the backend seam: a container per run, created with
 * its mounts translated for this daemon's topology (bind, DooD or copy), attached and awaited
 * before start, removed afterwards.
 */
export class DockerBackend implements ToolBackend {
  constructor(private readonly engine: DockerEngine) {}

  get endpoint(): string {
    return this.engine.endpoint;
  }

  explainError(error: unknown): string {
    return explainDaemonError(error);
  }

  async prepare(request: ToolRequest, step: StepContext): Promise<PreparedTool> {
    const decided = await this.decide(request, step);
    return {
      imageId: decided.imageId,
      mounts: decided.plan.mounts,
      user: decided.user.user ?? 'image',
      launch: (io, launchStep) => this.launch(request, decided, io, launchStep),
    };
  }

  /**
   * Everything decided before a container exists: the user mapping, how files reach the daemon,
   * the socket guard and the image. Warm sessions (docker-session.ts) decide the same way once.
   */
  async decide(request: ToolRequest, step: StepContext): Promise<Decided> {
    const { engine } = this;
    const { options } = request;
    // A daemon that cannot say how it maps users gets the plain mapping (the caller's ids).
    const mapping = options.user === 'auto'
      ? await bounded(userMapping(engine).catch(() => 'plain' as const), step.signal, 'asking the daemon how it maps users')
      : 'plain';
    const { resolver } = await bounded(decideTransfer(engine), step.signal, 'finding how files reach the daemon');
    const plan = await bounded(resolver.plan(request.mounts, engine), step.signal, 'resolving mounts');
    // The socket never reaches the tool: refused as a mount, masked inside mounted directories, its group withheld.
    const guard = await bounded(daemonSocketGuard(engine, plan.mounts, options), step.signal, 'keeping the daemon socket from the tool');
    const user = toolUser(options.user, mapping, guard.socketGid);
    const imageId = await ensureImage(engine, request.image, options.pull, step.emit, step.signal, options.auth);
    return { imageId, user, plan, masks: guard.masks };
  }

  private async launch(request: ToolRequest, decided: Decided, io: ToolIo, step: StepContext): Promise<DockerTool> {
    const { engine } = this;
    // Before the first container exists: whatever ends this process, its containers go too.
    ensureSignalHandlers();
    await bounded(currentReaper().ensureRunning(engine), step.signal, 'starting the orphan reaper');
    settleOwedRemovals(engine); // the daemon answered: clean up after an earlier outage
    const config = containerConfig({ image: request.image, args: request.args, mounts: decided.plan.mounts, masks: decided.masks, user: decided.user, options: request.options });
    const id = await createContainer(engine, config, step.signal);
    try {
      // A name for the mapped uid, before the attach: Podman initialises the container on attach
      // and would then add its own entry (named by the number) first.
      await provideIdentity(engine, id, identityRequest(request, decided), step.signal);
      const attachment = await attachContainer(engine, id, io, step.signal);
      const podman = await bounded(userMapping(engine).then((m) => m.startsWith('podman'), () => false), step.signal, 'asking which engine runs the tool');
      return new DockerTool(engine, id, decided.plan, request.options.memory !== undefined, attachment, io, podman);
    } catch (error) {
      // Not handed to the lifecycle yet, so removed here.
      await bounded(removeContainer(engine, id), AbortSignal.timeout(10_000), 'removing the container').catch(() => {});
      throw error;
    }
  }
}

export interface Decided {
  imageId: string;
  user: ReturnType<typeof toolUser>;
  plan: MountPlan;
  /** Container paths where the daemon's socket is masked. */
  masks: string[];
}

/**
 * Creates the container. The request is not aborted with the run: a create the daemon completes
 * after we gave up would leave a container we never heard of, so it is removed when it arrives.
 */
export async function createContainer(engine: DockerEngine, config: Docker.ContainerCreateOptions, signal: AbortSignal): Promise<string> {
  const creating = engine.containers.create(config);
  try {
    const id = await bounded(creating, signal, 'creating the container');
    liveContainers.set(id, engine);
    return id;
  } catch (error) {
    creating.then((late) => engine.containers.remove(late), () => {}).catch(() => {});
    throw error;
  }
}
