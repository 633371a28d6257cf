import { userMapping } from '../identity/caller-user.js';
import { containerConfig } from '../container-config.js';
import { bounded } from '../../../lifecycle/bounded.js';
import type { PreparedTool, StepContext, ToolBackend, ToolIo, ToolRequest } from '../../tool-backend.js';
import { bringUp } from './bring-up.js';
import { decide, type Decided } from './decide.js';
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
    const decided = await decide(this.engine, request, step);
    return {
      imageId: decided.imageId,
      mounts: decided.plan.mounts,
      user: decided.user.user ?? 'image',
      launch: (io, launchStep) => this.launch(request, decided, io, launchStep),
    };
  }

  private async launch(request: ToolRequest, decided: Decided, io: ToolIo, step: StepContext): Promise<DockerTool> {
    const { engine } = this;
    const config = containerConfig({
      image: request.image,
      args: request.args,
      mounts: decided.plan.mounts,
      masks: decided.masks,
      user: decided.user,
      options: request.options,
    });
    return await bringUp(engine, request, decided, config, step, async (id) => {
      const attachment = await attachContainer(engine, id, io, step.signal);
      const podman = await bounded(
        userMapping(engine).then(
          (m) => m.startsWith('podman'),
          () => false,
        ),
        step.signal,
        'asking which engine runs the tool',
      );
      return new DockerTool(engine, id, decided.plan, request.options.memory !== undefined, attachment, io, podman);
    });
  }
}
