import { createRequire } from 'node:module';
import type { DockerEngine } from '../engine/docker-engine.js';
import { reaperEnabled } from '../../../util/environment.js';
import { session } from '../process-session.js';
import { locateSelf } from '../dood/detect-self.js';
import { sweepDocker } from '../docker-sweep.js';
import { ensureSiblingReaper } from './sibling-reaper.js';
import { WATCHDOG_SCRIPT } from './sweep-script.js';
import { startWatchdogProcess } from '../../../util/watchdog-process.js';

/** What removes this process's containers when it dies without doing so itself. */
export interface Reaper {
  /** Ready before the first container on `engine` is created. */
  ensureRunning(engine: DockerEngine): Promise<void>;
}

/** `TOOLDOCK_REAPER=0`: nothing watches; the caller cleans up (see util/environment.ts). */
export const disabledReaper: Reaper = {
  ensureRunning: () => Promise.resolve(),
};

const started = new Map<string, Promise<void>>();

/**
 * Survives a SIGKILL of this process: a detached watchdog process holds a pipe to us; when the
 * pipe closes (we died, however), it removes every container of our session — twice, two seconds
 * apart, to catch a create that was in flight — and exits. One per process and daemon. In DooD,
 * a sibling container covers the death of the whole notebook container too.
 */
export const watchingReaper: Reaper = {
  ensureRunning(engine) {
    let ready = started.get(engine.endpoint);
    if (!ready) {
      ready = startReapers(engine);
      started.set(engine.endpoint, ready);
    }
    return ready;
  },
};

/** The reaper to use now (the switch is read at each call). */
export function currentReaper(): Reaper {
  return reaperEnabled() ? watchingReaper : disabledReaper;
}

async function startReapers(engine: DockerEngine): Promise<void> {
  startWatchdog(engine);
  // The start-up sweep: whatever earlier sessions left goes now, quietly in the background;
  // it only removes provably dead ones.
  setTimeout(() => void sweepDocker(engine).catch(() => {}), 0).unref();
  // In DooD, a sibling container also covers the death of the whole notebook container. The
  // first tool starts only once it runs, so no tool can outlive an early kill of the notebook.
  try {
    const self = await locateSelf(engine);
    if (self.kind === 'container') await ensureSiblingReaper(engine, self);
  } catch (error) {
    process.emitWarning(`tooldock: could not start the sibling reaper: ${(error as Error).message}`);
  }
}

/** The daemon's address and TLS material go through the watchdog's stdin pipe, never its argv. */
function startWatchdog(engine: DockerEngine): void {
  const dockerode = createRequire(import.meta.url).resolve('dockerode');
  startWatchdogProcess(WATCHDOG_SCRIPT, { dockerode, options: engine.target.dockerodeOptions, session: session.id }, 'the orphan reaper');
}
