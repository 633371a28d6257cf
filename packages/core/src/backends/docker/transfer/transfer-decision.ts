import { copyModeResolver } from '../copy-mode/copy-resolver.js';
import { locateSelf } from '../dood/detect-self.js';
import { doodResolver } from '../dood/dood-resolver.js';
import { refusingResolver } from '../dood/refusing-resolver.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import { transferSwitch } from '../../../util/environment.js';
import { chosenPathResolver, sameHostResolver } from './path-resolver.js';
import { copyModeReason } from './copy-mode-reason.js';
import type { PathResolver, TransferMode } from './mount-plan.js';

/** How files reach tools on one daemon, and why: what runTool uses and doctor() reports. */
export interface TransferDecision {
  mode: TransferMode;
  /** Why this mode, in words. */
  reason: string;
  /** Plans each run's mounts for this mode. */
  resolver: PathResolver;
}

/**
 * Decides how files reach tools on `engine`, first rule that applies:
 * 1. a resolver forced with `setPathResolver`;
 * 2. `TOOLDOCK_TRANSFER=copy`;
 * 3. dood: this process runs in a container verified on that daemon; its paths are translated
 *    to the host paths or volumes behind its mounts (even over tcp://);
 * 4. copy: the daemon shares no files with us (remote, or it reports another hostname);
 * 5. refused: we clearly run in a container the daemon does not know, so mounts are refused with
 *    the fixes (after 4: a remote daemon explains an unknown container better than a refusal);
 * 6. bind: the daemon runs beside us and sees our paths as they are.
 * What it rests on is probed once per engine (our own container, `docker info`, both cached);
 * the override and the switch are read at each call, so changing them takes effect at once.
 */
export async function decideTransfer(engine: DockerEngine): Promise<TransferDecision> {
  const chosen = chosenPathResolver();
  if (chosen) return { mode: chosen.transfer ?? 'bind', reason: 'chosen with setPathResolver()', resolver: chosen };
  if (transferSwitch() === 'copy') return { mode: 'copy', reason: 'TOOLDOCK_TRANSFER=copy', resolver: copyModeResolver };
  const self = await locateSelf(engine);
  if (self.kind === 'container') {
    return {
      mode: 'dood',
      reason: `this process runs in container ${self.name} on that daemon: paths are translated through its mounts`,
      resolver: doodResolver(self),
    };
  }
  const copyReason = await copyModeReason(engine);
  if (copyReason) return { mode: 'copy', reason: copyReason, resolver: copyModeResolver };
  if (self.kind === 'unverified-container') {
    return { mode: 'refused', reason: `this process runs in a container, but ${self.reason}`, resolver: refusingResolver(self.reason) };
  }
  const reason = transferSwitch() === 'mount' ? 'TOOLDOCK_TRANSFER=mount' : 'the daemon runs on this machine and sees our paths';
  return { mode: 'bind', reason, resolver: sameHostResolver };
}
