import { realpathSync } from 'node:fs';
import type { PreparedTool, StepContext, ToolBackend, ToolIo, ToolRequest } from '../tool-backend.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import type { ResolvedMount } from '../../api/run-result.js';
import { bounded } from '../../lifecycle/bounded.js';
import { callerName } from '../image-store/daemon-source.js';
import type { ReadyImage } from '../image-store/image-store.js';
import type { CharliecloudEngine } from './charliecloud-engine.js';
import { chRunCommand, chRunEnvFile, type ChRunPlan } from './ch-run-command.js';
import { ChRunTool } from './ch-run-tool.js';
import { refuseUnenforceable } from './guarantees.js';
import { dieWithParent } from './die-with-parent.js';
import { NAMESPACE_SCRIPT } from './namespace-script.js';
import { newEnvFile, newStageDir, sweepStageDirsOnce } from './stage-dir.js';
import { toolEnvironment } from './tool-environment.js';
import { hostBinds } from '../host-binds.js';

/**
 * The Charliecloud implementation of the backend seam: prepare = refuse what cannot be enforced,
 * resolve mounts (your own paths: no daemon in between), find or convert the image in the store;
 * launch = decide the command line (made to die with us: die-with-parent.ts); start = spawn it
 * (ch-run-tool.ts). The first run sweeps the stage directories of dead processes (stage-dir.ts).
 */
export class CharliecloudBackend implements ToolBackend {
  constructor(private readonly engine: CharliecloudEngine) {}

  get endpoint(): string {
    return this.engine.endpoint;
  }

  /** ch-run, ch-convert and unshare speak for themselves: their message as it is. */
  explainError(error: unknown): string {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return `${(error as Error).message} (is Charliecloud installed? doctor() says)`;
    return error instanceof Error ? error.message : String(error);
  }

  async prepare(request: ToolRequest, step: StepContext): Promise<PreparedTool> {
    const { options } = request;
    refuseUnenforceable(options);
    const mounts = resolveMounts(request);
    const image = await this.engine.images.ensure(request.image, { pull: options.pull, signal: step.signal, emit: step.emit });
    const command = toolCommand(image, request.args, options.entrypoint);
    await bounded(sweepStageDirsOnce(), step.signal, 'removing stage directories of dead processes');
    const uid = process.getuid?.() ?? 0;
    const gid = process.getgid?.() ?? 0;
    return {
      imageId: image.imageId,
      mounts,
      user: `${uid}:${gid}`,
      launch: async (io: ToolIo) => {
        // Only mounts need staging (ch-run-command.ts): a run without any makes no directory.
        const stageDir = mounts.length > 0 ? newStageDir() : undefined;
        const env = toolEnvironment(image.env, options.env);
        const envFile = newEnvFile(chRunEnvFile(env));
        const plan: ChRunPlan = {
          imageDir: image.dir,
          stageDir: stageDir ?? '',
          mounts: hostBinds(mounts),
          network: options.network as 'none' | 'host',
          uid,
          gid,
          cwd: options.cwd ?? image.workingDir ?? '/',
          env,
          envFile,
          command,
        };
        // Dies with us even when we are SIGKILLed (no handler of ours runs then).
        return new ChRunTool(dieWithParent(chRunCommand(plan, NAMESPACE_SCRIPT), process.pid), runnerEnv(), io, { stageDir, envFile });
      },
    };
  }
}

/** Your paths, as they are (no daemon in between); ch-run's bind syntax cannot carry a ":". */
function resolveMounts(request: ToolRequest): ResolvedMount[] {
  return request.mounts.map((mount, i) => {
    for (const path of [mount.path, mount.target]) {
      if (path.includes(':') || path.includes('\n'))
        throw new InvalidInputError(
          `mounts[${i}]`,
          path,
          'a path containing ":" or a newline cannot be bound by ch-run: rename it or mount its parent directory',
        );
    }
    return { target: mount.target, source: { type: 'bind', path: realpathSync(mount.path) }, readOnly: !mount.write, localPath: mount.path };
  });
}

/** What `docker run` would execute: the entrypoint, then the arguments (or the image's CMD without any). */
export function toolCommand(image: Pick<ReadyImage, 'entrypoint' | 'cmd'>, args: string[], entrypoint: string | string[] | undefined): string[] {
  const ep =
    entrypoint === undefined ? (image.entrypoint ?? []) : (Array.isArray(entrypoint) ? entrypoint : [entrypoint]).filter((part) => part !== '');
  const rest = args.length > 0 || entrypoint !== undefined ? args : (image.cmd ?? []);
  const command = [...ep, ...rest];
  if (command.length === 0) throw new InvalidInputError('args', args, 'a command: the image has no entrypoint or default command');
  return command;
}

/** unshare, mount and ch-run's own environment (the tool's is cleared and set by ch-run). */
function runnerEnv(): NodeJS.ProcessEnv {
  return { PATH: `${process.env.PATH ?? ''}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`, USER: callerName(), LANG: 'C' };
}
