import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The repository root. */
export const repoRoot = fileURLToPath(new URL('../', import.meta.url));

/**
 * Builds the packages' `dist/` (incremental `tsc -b`): tests that start real child processes,
 * containers or packed tarballs run the built code, as users do.
 */
export async function buildPackages(): Promise<void> {
  await promisify(execFile)('pnpm', ['run', '--silent', 'build'], { cwd: repoRoot });
}
