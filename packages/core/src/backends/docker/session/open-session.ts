import type { OpenedSession } from '../../engine-kind.js';
import type { StepContext, ToolRequest } from '../../tool-backend.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import { SessionContainer } from './docker-session.js';
import { SessionBackend } from './session-backend.js';

/** A warm session on a daemon: one long-lived container, each call an exec in it (docs/sessions.md). */
export async function openDockerSession(engine: DockerEngine, request: ToolRequest, step: StepContext): Promise<OpenedSession> {
  const container = await SessionContainer.open(engine, request, step);
  return {
    id: container.id,
    get goneReason() {
      return container.goneReason;
    },
    // The session's mounts, for the result cache to fingerprint (the exec itself ignores them).
    mounts: container.decided.plan.mounts.map((m) => ({ path: m.localPath, target: m.target, write: !m.readOnly })),
    backend: new SessionBackend(container),
    close: (signal, reason) => container.close(signal, reason),
  };
}
