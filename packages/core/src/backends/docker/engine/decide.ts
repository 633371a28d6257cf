import { toolUser, userMapping } from '../identity/caller-user.js';
import { daemonSocketGuard } from '../daemon-socket.js';
import { ensureImage } from '../ensure-image.js';
import { bounded } from '../../../lifecycle/bounded.js';
import type { MountPlan } from '../transfer/mount-plan.js';
import { decideTransfer } from '../transfer/transfer-decision.js';
import type { StepContext, ToolRequest } from '../../tool-backend.js';
import type { DockerEngine } from './docker-engine.js';

/** What is decided for a container before it exists. */
export interface Decided {
  imageId: string;
  user: ReturnType<typeof toolUser>;
  plan: MountPlan;
  /** Container paths where the daemon's socket is masked. */
  masks: string[];
}

/**
 * Everything decided before a container exists: the user mapping, how files reach the daemon,
 * the socket guard and the image. A tool's container (docker-backend.ts) and a warm session's
 * (session/docker-session.ts) are decided the same way.
 */
export async function decide(engine: DockerEngine, request: ToolRequest, step: StepContext): Promise<Decided> {
  const { options } = request;
  // A daemon that cannot say how it maps users gets the plain mapping (the caller's ids).
  const mapping =
    options.user === 'auto'
      ? await bounded(
          userMapping(engine).catch(() => 'plain' as const),
          step.signal,
          'asking the daemon how it maps users',
        )
      : 'plain';
  const { resolver } = await bounded(decideTransfer(engine), step.signal, 'finding how files reach the daemon');
  const plan = await bounded(resolver.plan(request.mounts, engine), step.signal, 'resolving mounts');
  // The socket never reaches the tool: refused as a mount, masked inside mounted directories, its group withheld.
  const guard = await bounded(daemonSocketGuard(engine, plan.mounts, options), step.signal, 'keeping the daemon socket from the tool');
  const user = toolUser(options.user, mapping, guard.socketGid);
  const imageId = await ensureImage(engine, request.image, options.pull, step.emit, step.signal, options.auth);
  return { imageId, user, plan, masks: guard.masks };
}
