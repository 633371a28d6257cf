import { join } from 'node:path';

/** Everything one ch-run call needs, decided by the backend (plain values: unit-testable). */
export interface ChRunPlan {
  /** The image directory in the store. */
  imageDir: string;
  /** An empty directory this run owns: its private mounts are made there (only in its namespace). */
  stageDir: string;
  mounts: Array<{ source: string; target: string; readOnly: boolean }>;
  /**
   * Paths inside mount `mount` (from 0), below its source, covered by an empty read-only tmpfs:
   * on a Slurm node, the spool where a mount of its parent would show it (node-plan.ts).
   */
  hidden?: Array<{ mount: number; below: string }>;
  /** `none`: a network namespace of its own (loopback only); `host`: the host's. */
  network: 'none' | 'host';
  uid: number;
  gid: number;
  cwd: string;
  /** The image's environment file (`ch/environment`), when it has one. */
  imageEnvFile?: string;
  /** Set after the image's (HOME, then the caller's `env`). */
  env: Record<string, string>;
  /**
   * Where the backend wrote {@link chRunEnvFile} of `env` (a private file): values never go in a
   * command line, which every user of the machine can read in `/proc`.
   */
  envFile: string;
  /** The command: entrypoint and arguments, already combined as Docker would. */
  command: string[];
}

/**
 * The whole command line of a run: `unshare` (a user namespace mapping the caller to root there,
 * so the script may mount; private mounts; a pid namespace whose end kills every process of the
 * run; a network namespace unless `host`), the namespace script (when there are mounts), then `ch-run` mapping the
 * caller's uid and gid back, with a private /tmp and the environment cleared before the image's
 * and the caller's variables are set (`--env-no-expand`: values are literal).
 */
export function chRunCommand(plan: ChRunPlan, script: string): string[] {
  const unshare = ['unshare', '--user', '--map-root-user', '--mount', '--pid', '--fork', '--kill-child', '--mount-proc'];
  if (plan.network === 'none') unshare.push('--net');
  const mountArgs = plan.mounts.flatMap((m) => [m.readOnly ? 'ro' : 'rw', m.source, m.target]);
  for (const { mount, below } of plan.hidden ?? []) mountArgs.push('hide', String(mount + 1), below);
  const chRun = ['ch-run', '--private-tmp', `--uid=${plan.uid}`, `--gid=${plan.gid}`, `--cd=${plan.cwd}`, '--env-no-expand', '--unset-env=*'];
  if (plan.imageEnvFile) chRun.push(`--set-env=${plan.imageEnvFile}`);
  chRun.push(`--set-env=${plan.envFile}`);
  // A line cannot carry a newline: such a value (only an image's own; a caller's is refused) stays here.
  for (const [key, value] of Object.entries(plan.env)) if (value.includes('\n')) chRun.push(`--set-env=${key}='${value}'`);
  plan.mounts.forEach((m, i) => chRun.push(`--bind=${join(plan.stageDir, `m${i + 1}`)}:${m.target}`));
  // No mounts: nothing to stage (no mount points to add, no read-only remount), so no script and
  // no overlay: ch-run shows the image read-only by itself. Each exec and mount saved counts on a
  // loaded node (bench B9).
  if (plan.mounts.length === 0) return [...unshare, ...chRun, plan.imageDir, '--', ...plan.command];
  chRun.push(join(plan.stageDir, 'root'), '--', ...plan.command);
  return [...unshare, '/bin/sh', '-c', script, 'tooldock-ch-run', plan.stageDir, plan.imageDir, ...mountArgs, '--', ...chRun];
}

/**
 * ch-run's `--set-env=FILE`: one `KEY='value'` line each. ch-run strips one pair of single quotes
 * around a value (and nothing else), so every value arrives as it is — quotes, `$`, `=` and spaces
 * included; a value with a newline cannot be a line and is left to the command line.
 */
export function chRunEnvFile(env: Record<string, string>): string {
  return Object.entries(env)
    .filter(([, value]) => !value.includes('\n'))
    .map(([key, value]) => `${key}='${value}'\n`)
    .join('');
}
