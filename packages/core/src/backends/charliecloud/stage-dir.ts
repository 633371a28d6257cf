import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readdir, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { abandonedBy, localOwner } from '../../util/process-owner.js';

const PREFIX = 'tooldock-ch-';
/** `tooldock-ch-<owner>-<pid>-<6 random>` (mkdtemp), `.env` for a variables file: who made it is in the name. */
const OWNED = /^tooldock-ch-(.+)-(\d+)-[A-Za-z0-9]{6}(\.env)?$/;

/**
 * A new empty directory for one run's private mounts, in the temp dir. The mounts are made on it
 * inside the run's own mount namespace, so on the host it stays empty; the run removes it at its end.
 */
export function newStageDir(): string {
  return mkdtempSync(join(tmpdir(), `${PREFIX}${localOwner()}-${process.pid}-`));
}

/**
 * A new private file (0600, created exclusively) holding a run's variables for ch-run's
 * `--set-env=FILE`, in the temp dir beside the stage directories and named like them; the run
 * removes it at its end, the sweep when its process died without doing so.
 */
export function newEnvFile(content: string): string {
  const path = join(tmpdir(), `${PREFIX}${localOwner()}-${process.pid}-${randomBytes(3).toString('hex')}.env`);
  writeFileSync(path, content, { mode: 0o600, flag: 'wx' });
  return path;
}

/**
 * Removes the stage directories (and variables files) of processes of this host (and pid namespace) that died without
 * removing theirs (SIGKILL). Only empty ones (`rmdir`): ours always are on the host; anything
 * else named like one (another user's, a file, a directory with content) is left alone.
 */
export async function removeAbandonedStageDirs(dir = tmpdir()): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const abandoned = names.filter((name) => {
    const owned = OWNED.exec(name);
    return owned !== null && abandonedBy(owned[1]!, Number(owned[2]));
  });
  // Best effort: a leftover that cannot be removed costs an empty directory, not correctness.
  await Promise.all(abandoned.map((name) => (name.endsWith('.env') ? rm(join(dir, name)) : rmdir(join(dir, name))).catch(() => {})));
}

let swept: Promise<void> | undefined;

/** {@link removeAbandonedStageDirs} once per process, at its first run. */
export function sweepStageDirsOnce(): Promise<void> {
  swept ??= removeAbandonedStageDirs();
  return swept;
}
