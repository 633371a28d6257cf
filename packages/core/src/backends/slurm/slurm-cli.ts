import { execFile } from 'node:child_process';
import { TooldockError } from '../../errors/tooldock-error.js';

/** A Slurm command failed: its name, arguments and what it printed on stderr. */
export class SlurmCommandError extends TooldockError {
  readonly code = 'ERR_TOOLDOCK_SLURM_COMMAND';
  override readonly name = 'SlurmCommandError';
  constructor(
    readonly command: string,
    readonly args: readonly string[],
    readonly stderr: string,
    readonly exitCode: number | null,
  ) {
    super(
      `${command} ${args.join(' ')} failed${exitCode !== null ? ` (exit ${exitCode})` : ''}: ${stderr.trim().split('\n').slice(-3).join(' | ') || 'no message'}`,
    );
  }
}

/** A CLI that is not installed: the submitting host is not a Slurm client. */
export class SlurmNotFoundError extends TooldockError {
  readonly code = 'ERR_TOOLDOCK_SLURM_NOT_FOUND';
  override readonly name = 'SlurmNotFoundError';
  constructor(command: string) {
    super(
      `${command} was not found on this host: tooldock submits with the Slurm client commands (sbatch, squeue, scancel, sinfo); ` +
        "run on a login node, or install slurm-client and point SLURM_CONF at the cluster's slurm.conf",
    );
  }
}

/**
 * Runs a Slurm client command (no shell: arguments are never re-parsed) and returns its stdout.
 * Bounded by `signal` and by a ceiling, so a hung controller cannot hang a run.
 */
export function slurmCommand(command: string, args: readonly string[], signal?: AbortSignal, ceilingMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const bound = signal ? AbortSignal.any([signal, AbortSignal.timeout(ceilingMs)]) : AbortSignal.timeout(ceilingMs);
    execFile(command, args, { signal: bound, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return reject(new SlurmNotFoundError(command));
      const code = typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : null;
      reject(new SlurmCommandError(command, args, stderr || error.message, code));
    });
  });
}
