import type { PreparedTool, ToolBackend } from '../../tool-backend.js';
import type { SessionContainer } from './docker-session.js';
import { ExecTool } from './exec-tool.js';
import { explainDaemonError } from '../engine/daemon-error.js';

/**
 * The backend seam for calls in a warm session: everything was prepared when the session opened
 * (mounts, user, image), so `prepare` only checks the container is still there, and `launch`
 * creates an exec instead of a container. The lifecycle (lifecycle/run-container.ts) is the same.
 */
export class SessionBackend implements ToolBackend {
  constructor(private readonly container: SessionContainer) {}

  get endpoint(): string {
    return this.container.engine.endpoint;
  }

  explainError(error: unknown): string {
    return explainDaemonError(error);
  }

  async prepare(request: Parameters<ToolBackend['prepare']>[0]): Promise<PreparedTool> {
    this.container.assertAlive();
    const { decided } = this.container;
    return {
      imageId: decided.imageId,
      mounts: decided.plan.mounts,
      user: decided.user.user ?? 'image',
      launch: (io, step) => ExecTool.create(this.container, request.args, request.options, io, step),
    };
  }
}
