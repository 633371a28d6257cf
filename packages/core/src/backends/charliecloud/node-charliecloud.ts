import { join } from 'node:path';
import type { ParsedRunOptions } from '../../api/options.js';
import type { ResolvedMount } from '../../api/run-result.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { callerName } from '../image-store/daemon-source.js';
import type { ReadyImage } from '../image-store/image-store.js';
import { toolCommand } from './charliecloud-backend.js';
import { chRunCommand } from './ch-run-command.js';
import { refuseMultilineEnv } from './guarantees.js';
import { NAMESPACE_SCRIPT } from './namespace-script.js';
import { spoolBelowMounts } from '../slurm/node-plan.js';
import { hostBinds } from '../host-binds.js';

/**
 * A Slurm node's run line for `runtime: 'charliecloud'`: the same `unshare … ch-run` as a local
 * run (ch-run-command.ts), staged in the run's spool directory, the image from the store on the
 * shared filesystem, its variables (`env`: the image's and the run's, as written) in `envFile` (ch-run-command.ts's `chRunEnvFile`, in the run's private spool
 * directory: never in a process's arguments). It runs inside the job, as you: `scancel` and the job's cgroup reach the
 * tool (no daemon holds it), and memory and CPU limits are the job's (`--mem`, `--cpus-per-task`).
 */
export function nodeChRun(
  image: ReadyImage,
  args: string[],
  mounts: ResolvedMount[],
  options: ParsedRunOptions,
  files: { runDir: string; spoolRoot: string; envFile: string; env: Record<string, string> },
): string[] {
  const { runDir, spoolRoot, envFile, env } = files;
  const argv = chRunCommand(
    {
      imageDir: image.dir,
      stageDir: join(runDir, 'stage'),
      mounts: hostBinds(mounts),
      hidden: spoolBelowMounts(mounts, spoolRoot),
      network: options.network as 'none' | 'host',
      uid: process.getuid?.() ?? 0,
      gid: process.getgid?.() ?? 0,
      cwd: options.cwd ?? image.workingDir ?? '/',
      env,
      envFile,
      command: toolCommand(image, args, options.entrypoint),
    },
    NAMESPACE_SCRIPT,
  );
  // ch-run refuses to start without $USER; the job's environment is not ours to trust.
  return ['env', `USER=${callerName()}`, 'PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin', ...argv];
}

/**
 * What the job cannot give a run of a daemonless runtime, `runtime` its name in messages (memory
 * and CPUs it can: they are the job's).
 */
export function refuseOnNodes(options: ParsedRunOptions, runtime: 'Charliecloud' | 'Apptainer' = 'Charliecloud'): void {
  if (options.network !== 'none' && options.network !== 'host')
    throw new InvalidInputError(
      'options.network',
      options.network,
      `a ${runtime} run offers "none" (its own network namespace, the default) or "host"`,
    );
  if (options.gpus !== undefined)
    throw new InvalidInputError('options.gpus', options.gpus, 'GPUs are passed to the container only with runtime "docker" on the nodes');
  const own = `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`;
  if (options.user !== 'auto' && options.user !== own)
    throw new InvalidInputError('options.user', options.user, `${runtime} runs the tool as you (${own}): only "auto" is possible`);
  if (Array.isArray(options.capabilities) && options.capabilities.length > 0)
    throw new InvalidInputError('options.capabilities', options.capabilities, `a ${runtime} tool runs unprivileged as you: use "auto"`);
  if (runtime === 'Charliecloud') refuseMultilineEnv(options);
  // Apptainer evaluates its --env-file as shell: a name that is not an identifier would be a command.
  if (runtime === 'Apptainer')
    for (const key of Object.keys(options.env ?? {}))
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
        throw new InvalidInputError(
          `options.env.${key}`,
          key,
          'a variable name of letters, digits and "_" (not starting with a digit): Apptainer reads variables as shell assignments',
        );
}
