import { statSync } from 'node:fs';
import { DEFAULT_DOCKER_SOCKET } from '../docker/engine/engine-target.js';
import { basename, join } from 'node:path';
import { toolUser, type ToolUser } from '../docker/identity/caller-user.js';
import { toolName } from '../../lifecycle/tool-name.js';
import type { PreparedTool, StepContext, ToolBackend, ToolIo, ToolRequest } from '../tool-backend.js';
import type { ResolvedMount } from '../../api/run-result.js';
import { session, sessionLabels } from '../docker/process-session.js';
import { ensureSignalHandlers } from '../../shutdown/signal-handlers.js';
import { jobFlags } from './job-flags.js';
import { nodePlan } from './node-plan.js';
import { slurmMounts } from './slurm-mounts.js';
import type { SlurmEngine } from './slurm-engine.js';
import { SlurmTool } from './slurm-tool.js';
import { argvFile, writeAtomically } from './spool.js';

/**
 * The Slurm implementation of the backend seam: prepare = mounts on the shared filesystem, the
 * caller's identity and the job's flags; launch = the run's spool directory (how the node runs,
 * inspects and removes the container); start = submission (see array-submitter.ts); the job
 * script on the node does the rest (job-script.ts).
 */
export class SlurmBackend implements ToolBackend {
  constructor(private readonly engine: SlurmEngine) {}

  get endpoint(): string {
    return this.engine.endpoint;
  }

  /** Slurm's commands fail with their own message (sbatch, squeue, the node's runtime via the job). */
  explainError(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
  }

  async prepare(request: ToolRequest): Promise<PreparedTool> {
    const mounts = slurmMounts(request.mounts);
    const user = toolUser(request.options.user, 'plain', localDockerGid());
    const flags = jobFlags(this.engine.options, request.options);
    return {
      // Each node resolves the tag itself; which image id ran is not known before the job does.
      imageId: request.image,
      mounts,
      user: user.user ?? 'image',
      launch: (io, step) => this.launch(request, { mounts, user, flags }, io, step),
    };
  }

  private async launch(request: ToolRequest, decided: Decided, io: ToolIo, step: StepContext): Promise<SlurmTool> {
    // Before the first job exists: whatever ends this process, its jobs (and containers) go too.
    ensureSignalHandlers();
    this.engine.ensureWatchdog();
    const dir = this.engine.spool.newDir('run');
    const name = `tooldock-${session.id}-${basename(dir).slice('run-'.length)}`;
    const labels = { ...request.options.labels, ...sessionLabels(toolName(request.image, request.args)) };
    const plan = nodePlan(name, request.image, request.args, decided.mounts, decided.user, labels, request.options, this.engine.spool.root());
    const { runtime, options } = this.engine;
    const run = options.srunArgs?.length ? ['srun', '--ntasks=1', '--quiet', ...options.srunArgs, ...runtime.run(plan)] : runtime.run(plan);
    writeAtomically(join(dir, 'run.argv'), argvFile(run));
    writeAtomically(join(dir, 'state.argv'), argvFile(runtime.exitState(name)));
    writeAtomically(join(dir, 'rm.argv'), argvFile(runtime.remove(name)));
    return new SlurmTool(this.engine, name, dir, decided.flags, io, step.emit);
  }
}

interface Decided {
  mounts: ResolvedMount[];
  user: ToolUser;
  flags: string[];
}

/** The docker group is left out of the tool's groups, as in a local run (backends/docker/identity/caller-user.ts). */
function localDockerGid(): number | undefined {
  try {
    return statSync(DEFAULT_DOCKER_SOCKET).gid;
  } catch {
    return undefined;
  }
}
