import { InvalidInputError } from '../../errors/invalid-input-error.js';
import type { ParsedRunOptions } from '../../api/options.js';

/**
 * What a local Charliecloud run enforces, and how (doctor() prints it). Options it cannot honour
 * are refused before anything starts ({@link refuseUnenforceable}), never silently weakened.
 */
export const CHARLIECLOUD_GUARANTEES: ReadonlyArray<{ option: string; how: string }> = [
  { option: 'user: "auto"', how: 'the tool runs as you (your uid, gid and groups; no daemon, no root)' },
  { option: 'read-only mounts', how: 'bind-mounted read-only in a private mount namespace before ch-run binds them' },
  { option: 'network: "none"', how: 'a network namespace of its own (loopback only); "host" shares yours' },
  { option: 'noNewPrivileges', how: 'always (ch-run sets no_new_privs)' },
  { option: 'image', how: 'read-only: shown through a read-only overlay, never written' },
  { option: '/tmp', how: 'private to the run (ch-run --private-tmp)' },
  {
    option: 'env',
    how: "a clean environment plus the image's and yours, the values from a private file (never on a command line other users can read); a value with a line break is refused",
  },
  { option: 'timeoutMs / cancel', how: 'the run is the first process of its own pid namespace: killing it ends every process it started' },
  {
    option: 'no orphans',
    how: 'the run dies with the process that started it, even a SIGKILLed one (setpriv --pdeathsig KILL before unshare --kill-child)',
  },
  {
    option: 'memory, cpus, pidsLimit, gpus',
    how: 'not enforceable without cgroups: memory, cpus and gpus are refused; pidsLimit is not applied (run under Slurm for limits)',
  },
];

/** An option this engine cannot honour: refused with the way out. */
export function refuseUnenforceable(options: ParsedRunOptions, field = 'options'): void {
  const refuse = (name: string, value: unknown, expected: string) => {
    throw new InvalidInputError(`${field}.${name}`, value, expected);
  };
  if (options.network !== 'none' && options.network !== 'host') {
    refuse(
      'network',
      options.network,
      'the charliecloud engine offers "none" (its own network namespace, the default) or "host" (yours): there is no daemon to create other networks',
    );
  }
  if (options.memory !== undefined)
    refuse(
      'memory',
      options.memory,
      'a memory limit needs cgroups, which a local Charliecloud run does not have: leave it out, or run on Slurm (connect({ slurm: { runtime: "charliecloud" } })) where the job enforces it',
    );
  if (options.cpus !== undefined)
    refuse(
      'cpus',
      options.cpus,
      "a CPU limit needs cgroups, which a local Charliecloud run does not have: leave it out, or run on Slurm where the job's allocation enforces it",
    );
  if (options.gpus !== undefined)
    refuse(
      'gpus',
      options.gpus,
      "GPUs are not passed by the charliecloud engine (it would need the host's driver libraries injected with ch-fromhost): use a Docker engine with the NVIDIA Container Toolkit",
    );
  if (options.user !== 'auto' && options.user !== ownIds() && options.user !== String(process.getuid?.() ?? 0)) {
    refuse(
      'user',
      options.user,
      `Charliecloud runs the tool as you (${ownIds()}): only "auto" is possible; another user or the image's own needs a daemon (Docker, Podman)`,
    );
  }
  if (Array.isArray(options.capabilities) && options.capabilities.length > 0) {
    refuse('capabilities', options.capabilities, 'a Charliecloud tool runs unprivileged as you and cannot be given capabilities: use "auto"');
  }
  refuseMultilineEnv(options, field);
}

/**
 * A value with a newline: ch-run reads variables from a file of lines, and a command line (which
 * could carry it) is readable by every user of the machine — so it is refused, not leaked.
 */
export function refuseMultilineEnv(options: Pick<ParsedRunOptions, 'env'>, field = 'options'): void {
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value.includes('\n'))
      throw new InvalidInputError(
        `${field}.env.${key}`,
        '(a value with a newline)',
        'a value without a newline: Charliecloud reads variables from a file of lines, and a command line would show the value to every user of the machine',
      );
  }
}

function ownIds(): string {
  return `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`;
}
