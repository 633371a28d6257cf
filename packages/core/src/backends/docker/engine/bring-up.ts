import type Docker from 'dockerode';
import type { StepContext, ToolRequest } from '../../tool-backend.js';
import { identityRequest, provideIdentity } from '../identity/provide-identity.js';
import { bounded } from '../../../lifecycle/bounded.js';
import { liveContainers, removeContainer, settleOwedRemovals } from '../live-containers.js';
import { currentReaper } from '../reaper/reaper.js';
import { ensureSignalHandlers } from '../../../shutdown/signal-handlers.js';
import type { Decided } from './decide.js';
import type { DockerEngine } from './docker-engine.js';

/**
 * The one container bring-up, for a tool's container (docker-backend.ts) and a warm session's
 * (session/docker-session.ts): crash cover first, then create, a name for the mapped uid, and
 * `ready` (attach, or copy in and start). A container that never reaches its owner is removed here.
 */
export async function bringUp<T>(
  engine: DockerEngine,
  request: ToolRequest,
  decided: Decided,
  config: Docker.ContainerCreateOptions,
  step: StepContext,
  ready: (id: string) => Promise<T>,
): Promise<T> {
  // Before the first container exists: whatever ends this process, its containers go too.
  ensureSignalHandlers();
  await bounded(currentReaper().ensureRunning(engine), step.signal, 'starting the orphan reaper');
  settleOwedRemovals(engine); // the daemon answered: clean up after an earlier outage
  const id = await createContainer(engine, config, step.signal);
  try {
    // A name for the mapped uid, before any attach: Podman initialises the container on attach
    // and would then add its own entry (named by the number) first.
    await provideIdentity(engine, id, identityRequest(request, decided), step.signal);
    return await ready(id);
  } catch (error) {
    // Not handed to its owner yet, so removed here.
    await bounded(removeContainer(engine, id), AbortSignal.timeout(10_000), 'removing the container').catch(() => {});
    throw error;
  }
}

/**
 * Creates the container. The request is not aborted with the run: a create the daemon completes
 * after we gave up would leave a container we never heard of, so it is removed when it arrives.
 */
async function createContainer(engine: DockerEngine, config: Docker.ContainerCreateOptions, signal: AbortSignal): Promise<string> {
  const creating = engine.containers.create(config);
  try {
    const id = await bounded(creating, signal, 'creating the container');
    liveContainers.set(id, engine);
    return id;
  } catch (error) {
    creating
      .then(
        (late) => engine.containers.remove(late),
        () => {},
      )
      .catch(() => {});
    throw error;
  }
}
