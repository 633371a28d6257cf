import { mkdirSync, statSync } from 'node:fs';
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
import { fanOutSteps, type FanOutSteps } from './fan-out-steps.js';
import { fanOutMembership } from './fan-out-arrays.js';
import { heldBy } from './warm-allocation.js';
import { argvFile, writeAtomically } from './spool.js';
import { nodeChRun } from '../charliecloud/node-charliecloud.js';
import { chRunEnvFile } from '../charliecloud/ch-run-command.js';
import type { ReadyImage } from '../image-store/image-store.js';
import { apptainerEnvFile } from '../apptainer/apptainer-command.js';
import { nodeApptainerExec } from '../apptainer/node-apptainer.js';
import { toolEnvironment } from '../charliecloud/tool-environment.js';
import { isStoreRuntime, nodeEnvFile } from './node-runtime.js';

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

  async prepare(request: ToolRequest, step: StepContext): Promise<PreparedTool> {
    const mounts = slurmMounts(request.mounts);
    const user = toolUser(request.options.user, 'plain', localDockerGid());
    const flags = jobFlags(this.engine.options, request.options);
    // Charliecloud or Apptainer on the nodes: the image is converted here, once, into the shared store.
    let image: ReadyImage | undefined;
    if (isStoreRuntime(this.engine.runtime.name)) {
      image = await this.engine.images.ensure(request.image, { pull: request.options.pull, signal: step.signal, emit: step.emit });
    }
    return {
      // Docker/Podman: each node resolves the tag itself; which image id ran is not known before the job does.
      imageId: image?.imageId ?? request.image,
      mounts,
      user: image ? `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}` : (user.user ?? 'image'),
      launch: (io, launchStep) => this.launch(request, { mounts, user, flags, image }, io, launchStep),
    };
  }

  private async launch(request: ToolRequest, decided: Decided, io: ToolIo, step: StepContext): Promise<SlurmTool> {
    // Before the first job exists: whatever ends this process, its jobs (and containers) go too.
    ensureSignalHandlers();
    this.engine.ensureWatchdog();
    const dir = this.engine.spool.newDir('run');
    const name = `tooldock-${session.id}-${basename(dir).slice('run-'.length)}`;
    const labels = { ...request.options.labels, ...sessionLabels(toolName(request.image, request.args)) };
    const envFile = join(dir, 'env');
    const plan = nodePlan(name, request.image, request.args, decided.mounts, decided.user, labels, request.options, {
      envFile,
      spoolRoot: this.engine.spool.root(),
    });
    if (!decided.image) writeAtomically(envFile, nodeEnvFile(plan.env));
    const { runtime, options } = this.engine;
    const line = decided.image ? this.storeRunLine(decided.image, request, decided.mounts, dir) : runtime.run(plan);
    // A fan-out's task may run as a job step of the fan-out's allocation: then it is a step already.
    const asStep = stepOf(decided.flags, this.engine);
    const run = options.srunArgs?.length && !asStep ? ['srun', '--ntasks=1', '--quiet', ...options.srunArgs, ...line] : line;
    writeAtomically(join(dir, 'run.argv'), argvFile(run));
    writeAtomically(join(dir, 'state.argv'), argvFile(runtime.exitState(name)));
    writeAtomically(join(dir, 'rm.argv'), argvFile(runtime.remove(name)));
    writeAtomically(join(dir, 'claim.argv'), argvFile(runtime.claim(plan)));
    return new SlurmTool(this.engine, name, dir, decided.flags, io, step.emit, asStep);
  }

  /** The node's line for a runtime that runs the store's image as the job's own process. */
  private storeRunLine(image: ReadyImage, request: ToolRequest, mounts: ResolvedMount[], dir: string): string[] {
    const spoolRoot = this.engine.spool.root();
    const env = toolEnvironment(image.env, request.options.env);
    if (this.engine.runtime.name === 'charliecloud') {
      const chEnvFile = join(dir, 'ch.env');
      writeAtomically(chEnvFile, chRunEnvFile(env));
      return nodeChRun(image, request.args, mounts, request.options, { runDir: dir, spoolRoot, envFile: chEnvFile, env });
    }
    const envFile = join(dir, 'apptainer.env');
    writeAtomically(envFile, apptainerEnvFile(env));
    const emptyDir = join(dir, 'empty');
    mkdirSync(emptyDir, { mode: 0o555 });
    return nodeApptainerExec(image, request.args, mounts, request.options, { envFile, spoolRoot, emptyDir });
  }
}

/**
 * How a run goes to Slurm: a fan-out's task as a step of the fan-out's allocation (when its
 * resources are the allocation's); any other run outside a fan-out as a step of the engine's
 * held allocation when it fits a slot, else as `srun` (an allocation of its own, started at once
 * when there is room: no wait for a scheduling pass); a fan-out's other tasks, and runs asking
 * for GPUs, as batch jobs (job arrays).
 */
function stepOf(flags: string[], engine: SlurmEngine): FanOutSteps | 'srun' | undefined {
  const steps = fanOutSteps();
  if (steps) return steps.takes(flags) ? steps : undefined;
  if (fanOutMembership() || flags.some((flag) => flag.startsWith('--gpus'))) return undefined;
  const held = heldBy(engine)?.steps;
  return held?.takes(flags) ? held : 'srun';
}

interface Decided {
  mounts: ResolvedMount[];
  user: ToolUser;
  flags: string[];
  /** Charliecloud or Apptainer on the nodes: the image in the shared store. */
  image?: ReadyImage;
}

/** The docker group is left out of the tool's groups, as in a local run (backends/docker/identity/caller-user.ts). */
function localDockerGid(): number | undefined {
  try {
    return statSync(DEFAULT_DOCKER_SOCKET).gid;
  } catch {
    return undefined;
  }
}
