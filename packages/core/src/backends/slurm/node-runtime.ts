/**
 * What the node runs: one tool container, named so that it can be found and removed. Plain
 * values (decided by the backend), so the node's command line depends on nothing else.
 */
export interface NodeContainerPlan {
  /** Unique container name on the node (the job script removes it by this name). */
  name: string;
  image: string;
  args: string[];
  mounts: Array<{ source: string; target: string; readOnly: boolean }>;
  /** `uid:gid`, or undefined for the image's own USER. */
  user: string | undefined;
  groups: string[];
  labels: Record<string, string>;
  env: Record<string, string>;
  /**
   * Where the backend wrote {@link nodeEnvFile} of `env` (in the run's private spool directory):
   * the values go to the runtime by `--env-file`, never on its command line, which every user of
   * the node can read in `/proc`.
   */
  envFile: string;
  network: string;
  pull: 'missing' | 'always' | 'never';
  stdin: boolean;
  cwd?: string;
  entrypoint?: string | string[];
  cpus?: number;
  memoryBytes?: number;
  noNewPrivileges: boolean;
  pidsLimit: number | null;
  /** Capabilities to drop all of and add back (`[]`: none), or undefined for the runtime's default set. */
  capabilities?: string[];
  /**
   * Container paths covered by an empty tmpfs: where the spool directory would show through a
   * mount. A tool that could write there could change the command lines its node runs next.
   */
  masks?: string[];
  /** The job was given GPUs: the container gets exactly those (docker only; see {@link ALLOCATED_GPUS}). */
  gpus?: boolean;
}

/**
 * An argument the job script replaces with the GPUs Slurm allocated to the job
 * (`"device=<SLURM_JOB_GPUS>"`): known only on the node, when the job starts.
 */
export const ALLOCATED_GPUS = '@tooldock-allocated-gpus@';

/**
 * The runtime seam on the node: the three command lines the job script needs. Docker and Podman
 * take the same flags. Charliecloud and Apptainer run an image of the store as the job's own
 * process: no state to read, nothing to remove.
 */
export interface NodeRuntime {
  readonly name: 'docker' | 'podman' | StoreRuntime;
  /** Runs the container in the foreground, output on the job script's stdout/stderr. */
  run(plan: NodeContainerPlan): string[];
  /** Prints `<exitCode> <oomKilled>` of the exited container. */
  exitState(name: string): string[];
  /** Removes the container whatever its state; no error when it is gone. */
  remove(name: string): string[];
  /**
   * Creates (never starts) a placeholder under the run's name: it fails with "already in use"
   * while any container of that name exists or is still being created. The job script uses it
   * after a cancel to know that no create of the run's container can land any more.
   */
  claim(plan: NodeContainerPlan): string[];
}

/** Runtimes with no daemon that run an image directory of the store (image-store.ts) as the caller. */
export type StoreRuntime = 'charliecloud' | 'apptainer';

export function isStoreRuntime(name: string): name is StoreRuntime {
  return name === 'charliecloud' || name === 'apptainer';
}

/** The runtime the `runtime` option names. */
export function nodeRuntime(name: 'docker' | 'podman' | StoreRuntime): NodeRuntime {
  if (isStoreRuntime(name)) {
    // The run line is the backend's (slurm-backend.ts, storeRunLine): it needs the image from the
    // store. The process is the container: no state to read, nothing to remove.
    return {
      name,
      run: () => {
        throw new Error(`a ${name} node run is built by SlurmBackend.storeRunLine()`);
      },
      exitState: () => ['echo', '0', 'false'],
      remove: () => ['true'],
      // No name to hold: once the runtime CLI is gone, nothing of the run can appear any more.
      claim: () => ['true'],
    };
  }
  return {
    name,
    run: (plan) => [name, 'run', ...runFlags(name, plan), plan.image, ...entrypointRest(plan.entrypoint), ...plan.args],
    exitState: (container) => [name, 'inspect', '--format', '{{.State.ExitCode}} {{.State.OOMKilled}}', container],
    // Podman's rm would first wait 10 s for a stop; the job has only KillWait left after a scancel.
    remove: (container) => (name === 'podman' ? [name, 'rm', '--force', '--time', '0', container] : [name, 'rm', '--force', container]),
    // The run's labels: a placeholder left by a SIGKILL is still found as this session's.
    // A command is given because an image without one cannot even be created.
    claim: (plan) => [
      name,
      'create',
      '--name',
      plan.name,
      '--pull',
      'never',
      '--network',
      'none',
      ...Object.entries(plan.labels).flatMap(([key, value]) => ['--label', `${key}=${value}`]),
      plan.image,
      'true',
    ],
  };
}

function runFlags(runtime: string, plan: NodeContainerPlan): string[] {
  const flags = ['--name', plan.name, '--network', plan.network, '--pull', plan.pull];
  // Output reaches us through the job's files; a daemon-side log would store it twice.
  if (runtime === 'docker') flags.push('--log-driver', 'none');
  if (plan.stdin) flags.push('--interactive');
  for (const [key, value] of Object.entries(plan.labels)) flags.push('--label', `${key}=${value}`);
  if (plan.user) flags.push('--user', plan.user);
  for (const group of plan.groups) flags.push('--group-add', group);
  flags.push('--env-file', plan.envFile);
  if (plan.cwd) flags.push('--workdir', plan.cwd);
  // `--entrypoint` takes one string; the rest of an array entrypoint goes before the args.
  if (plan.entrypoint !== undefined) flags.push('--entrypoint', (Array.isArray(plan.entrypoint) ? plan.entrypoint[0] : plan.entrypoint) ?? '');
  for (const m of plan.mounts) flags.push('--mount', `type=bind,source=${m.source},target=${m.target}${m.readOnly ? ',readonly' : ''}`);
  for (const target of plan.masks ?? []) flags.push('--mount', `type=tmpfs,target=${target}`);
  if (plan.cpus !== undefined) flags.push('--cpus', String(plan.cpus));
  // Swap equal to memory: an overrun is an OOM kill, as in a local run.
  if (plan.memoryBytes !== undefined) flags.push('--memory', String(plan.memoryBytes), '--memory-swap', String(plan.memoryBytes));
  if (plan.noNewPrivileges) flags.push('--security-opt', 'no-new-privileges');
  if (plan.pidsLimit !== null) flags.push('--pids-limit', String(plan.pidsLimit));
  if (plan.capabilities) flags.push('--cap-drop', 'ALL', ...plan.capabilities.flatMap((cap) => ['--cap-add', cap]));
  if (plan.gpus) {
    if (runtime !== 'docker') throw new Error('gpus: only runtime "docker" passes GPUs to the container on the nodes (docs/clusters.md)');
    flags.push('--gpus', ALLOCATED_GPUS);
  }
  return flags;
}

function entrypointRest(entrypoint: string | string[] | undefined): string[] {
  return Array.isArray(entrypoint) ? entrypoint.slice(1) : [];
}

/**
 * Docker's and Podman's `--env-file`: one `NAME=value` line each, the value taken literally.
 * What cannot be a line (node-refusals.ts) is refused before the run.
 */
export function nodeEnvFile(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([key, value]) => `${key}=${value}\n`)
    .join('');
}
