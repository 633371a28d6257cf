import { z } from 'zod';

/** Slurm's `--time` forms: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS, or UNLIMITED. */
const TIME_FORM = /^(?:\d+|\d+:\d{2}|\d+:\d{2}:\d{2}|\d+-\d+|\d+-\d+:\d{2}|\d+-\d+:\d{2}:\d{2}|UNLIMITED|INFINITE)$/;
/** A Slurm `--time` value. */
export const slurmTime = z.string().regex(TIME_FORM, 'must be a Slurm time limit such as "30", "2:00:00" or "1-00:00:00"');
/** Partition, account and QOS names: what Slurm accepts, and nothing a shell or flag could misread. */
const slurmName = (what: string) =>
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, `must be a Slurm ${what} name (letters, digits, "_", "." and "-")`);
/** Flags tooldock sets itself: the job array, its name and comment, where its script runs and logs. */
const OWN_FLAGS = /^(?:--(?:array|output|error|input|job-name|comment|chdir|parsable|wrap|wait|export|jobid|no-shell)\b|-[aoeiJDW](?:$|[^-]))/;
/** A step's task count: tooldock's steps run one task each (`--ntasks=1`). */
const TASK_COUNT = /^(?:--ntasks(?:-per-node)?(?:=|$)|-n(?:\d|$))/;
const extraArgs = z.array(
  z
    .string()
    .regex(/^-/, 'each extra argument must be a flag such as "--constraint=avx2" (flag and value in one string)')
    .refine((flag) => !OWN_FLAGS.test(flag), 'is set by tooldock itself (job array, name, comment, output, working directory, environment)'),
);

/**
 * `connect({ slurm })`: where tools run on a Slurm cluster and how. Validated like runTool's
 * options: a typo in a key is an InvalidInputError, not a silently ignored setting.
 */
export const SlurmOptionsSchema = z
  .object({
    partition: slurmName('partition').optional(),
    account: slurmName('account').optional(),
    qos: slurmName('QOS').optional(),
    time: slurmTime.optional(),
    runtime: z.literal(['docker', 'podman', 'charliecloud', 'apptainer'], {
      error: 'must be "docker", "podman", "charliecloud" or "apptainer" (the container runtime on the nodes)',
    }),
    images: z
      .string()
      .regex(/^\/[^:,\\]*$/, 'must be an absolute directory on the filesystem the nodes share, without ":", "," or "\\"')
      .optional(),
    sbatchArgs: extraArgs.optional(),
    srunArgs: extraArgs
      .refine((flags) => !flags.some((flag) => TASK_COUNT.test(flag)), {
        error: 'must not set the number of tasks (--ntasks, -n, --ntasks-per-node): each run is one task, and more would run the tool once per task',
      })
      .optional(),
    // No line break: a fan-out's worker steps read their run directories one a line (slot-worker.ts).
    spoolDir: z
      .string()
      .regex(/^\/[^\n\r]*$/, 'must be an absolute path on the filesystem the nodes share, without a line break')
      .optional(),
    fanOut: z
      .literal(['steps', 'arrays'], { error: 'must be "steps" (job steps in one allocation, the default) or "arrays" (throttled job arrays)' })
      .optional(),
  })
  .strict();

/** How to run tools on a Slurm cluster (see docs/clusters.md). */
export interface SlurmOptions {
  /** `--partition`; default: the cluster's default partition. */
  partition?: string;
  /** `--account`. */
  account?: string;
  /** `--qos`. */
  qos?: string;
  /** `--time` when a run has no `timeoutMs` (Slurm's forms: `"30"`, `"2:00:00"`, `"1-00:00:00"`). */
  time?: string;
  /**
   * The container runtime the nodes offer: `docker run` or `podman run` on the node, or
   * `charliecloud` (`ch-run` inside the job, as you: no daemon; docs/clusters.md), or
   * `apptainer` (`apptainer exec` of the store's image directory as a sandbox, inside the job, as
   * you — designed to Apptainer's documented CLI, never run on the machines this was built on).
   */
  runtime: 'docker' | 'podman' | 'charliecloud' | 'apptainer';
  /** `charliecloud` and `apptainer`: the image store, on the filesystem the nodes share. Default: `images` under `TOOLDOCK_HOME`. */
  images?: string;
  /** Extra `sbatch` flags, e.g. `["--constraint=avx2"]`. */
  sbatchArgs?: string[];
  /**
   * Flags for a job step: when given, the node runs the container inside
   * `srun --ntasks=1 <srunArgs> …` within the job (a step, for sites that account per step);
   * a fan-out's task that runs as a step of the fan-out's allocation gets them on its `srun`.
   */
  srunArgs?: string[];
  /**
   * Where job scripts, output and exit codes are exchanged with the nodes: a directory on the
   * shared filesystem, made private (0700). Default: `slurm` under `TOOLDOCK_HOME` (`~/.cache/tooldock/slurm`).
   */
  spoolDir?: string;
  /**
   * How `runMany` submits a fan-out of tool runs. `"steps"` (default): one allocation of
   * `min(concurrency, tasks)` slots, held until the last task ends, each task a job step in it
   * (`srun --exact`): no scheduling pass per task. `"arrays"`: job arrays throttled to
   * `concurrency`: each slot is given back as its task ends (better for a long tail of uneven
   * tasks on a busy cluster), but each task waits for a scheduling pass. See docs/clusters.md.
   */
  fanOut?: 'steps' | 'arrays';
}

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesInterface: Same<z.input<typeof SlurmOptionsSchema>, SlurmOptions> = true;
void schemaMatchesInterface;
