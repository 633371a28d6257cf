/**
 * Apptainer (formerly Singularity) on the same seam as Charliecloud: the command lines only.
 * DESIGNED, NOT RUN: Apptainer cannot be installed on the machines this was built on (no Debian 12
 * package); these lines are unit-tested against Apptainer's documented CLI (apptainer exec,
 * apptainer pull; https://apptainer.org/docs/user/latest/cli/apptainer_exec.html) and have never
 * executed here. docs/clusters.md says so.
 */

/** One `apptainer exec` call, decided by a backend (plain values). */
export interface ApptainerPlan {
  /** The image: a SIF file, or an image directory of the store (Apptainer's "sandbox" format). */
  image: string;
  mounts: Array<{ source: string; target: string; readOnly: boolean }>;
  /** Container paths covered by `empty` bound read-only after the mounts (a Slurm node's spool, node-plan.ts). */
  masks?: { paths: string[]; empty: string };
  /** `none`: `--net --network none` (a namespace with loopback only); `host`: the host's. */
  network: 'none' | 'host';
  cwd: string;
  /** A file of `KEY='value'` lines ({@link apptainerEnvFile}): `--env` would split a value at its commas. */
  envFile: string;
  command: string[];
  /** `--nv`: the host's NVIDIA driver libraries and devices (Apptainer's own GPU support). */
  gpus: boolean;
}

/**
 * `apptainer exec`: `--containall` (own pid, ipc and mount namespaces; no host /tmp, $HOME or
 * /dev beyond a minimal one), `--no-home`, `--cleanenv` (no host environment) plus `--env-file`,
 * `--pwd`, `--bind src:dst[:ro]` (Apptainer honours `:ro`, unlike ch-run), and
 * `--no-privs`-like defaults (no_new_privs is always set by Apptainer).
 */
export function apptainerExecCommand(plan: ApptainerPlan): string[] {
  const argv = ['apptainer', 'exec', '--containall', '--no-home', '--cleanenv', `--pwd`, plan.cwd];
  if (plan.network === 'none') argv.push('--net', '--network', 'none');
  if (plan.gpus) argv.push('--nv');
  for (const m of plan.mounts) {
    for (const path of [m.source, m.target]) {
      if (splitByBind(path)) throw new Error(`apptainer --bind cannot carry ":" or "," in a path: ${JSON.stringify(path)}`);
    }
    argv.push('--bind', `${m.source}:${m.target}${m.readOnly ? ':ro' : ''}`);
  }
  for (const path of plan.masks?.paths ?? []) argv.push('--bind', `${plan.masks!.empty}:${path}:ro`);
  argv.push('--env-file', plan.envFile);
  return [...argv, plan.image, ...plan.command];
}

/** `--bind src:dst[:ro]` splits at ":" and a list of binds at ",": a path with either cannot be bound. */
export function splitByBind(path: string): boolean {
  return path.includes(':') || path.includes(',');
}

/**
 * The `--env-file` for `env`: one `KEY='value'` line each, single-quoted (Apptainer reads the file
 * with a shell interpreter), HOME left out — Apptainer refuses to override it ("Overriding HOME
 * environment variable … is not permitted"), and under `--containall` it is an empty directory.
 */
export function apptainerEnvFile(env: Record<string, string>): string {
  return Object.entries(env)
    .filter(([key]) => key !== 'HOME')
    .map(([key, value]) => `${key}='${value.replaceAll("'", "'\\''")}'\n`)
    .join('');
}

/**
 * `apptainer pull` into the store: from a local Docker daemon (`docker-daemon:IMAGE`), a
 * `docker save` archive (`docker-archive:PATH`) or a registry (`docker://REF`), written to a
 * temp name that the store renames into place under its lock (image-store.ts's rule).
 */
export function apptainerPullCommand(source: { daemon: string } | { archive: string } | { registry: string }, tempSif: string): string[] {
  const uri =
    'daemon' in source ? `docker-daemon:${source.daemon}` : 'archive' in source ? `docker-archive:${source.archive}` : `docker://${source.registry}`;
  return ['apptainer', 'pull', '--disable-cache', tempSif, uri];
}
