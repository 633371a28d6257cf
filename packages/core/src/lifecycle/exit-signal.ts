import { constants } from 'node:os';

/** `SIGKILL` for exit code 137 and so on: codes above 128 mean "killed by signal code-128". */
export function signalOfExitCode(exitCode: number | undefined): string | undefined {
  if (exitCode === undefined || exitCode <= 128 || exitCode > 128 + 64) return undefined;
  const number = exitCode - 128;
  return Object.entries(constants.signals).find(([, n]) => n === number)?.[0];
}
