import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { session } from '../docker/process-session.js';
import { hiddenTempName } from '../../util/hidden-temp-name.js';
import { JOB_SCRIPT } from './job-script.js';

/**
 * This session's directory on the shared filesystem: job script, one directory per run and per
 * submission. Private (0700): other users of the cluster must not read tool output or swap a
 * script the nodes will execute as us.
 */
export class Spool {
  readonly dir: string;
  private scriptPath: string | undefined;

  constructor(private readonly rootDir: string) {
    this.dir = join(rootDir, session.id);
  }

  /** The spool's root as the nodes bind it (symlinks resolved), once it exists. */
  root(): string {
    this.ensureDir();
    return realpathSync(this.rootDir);
  }

  /** The spool's root as the nodes bind it, without creating it (undefined while it does not exist). */
  existingRoot(): string | undefined {
    try {
      return realpathSync(this.rootDir);
    } catch {
      return undefined;
    }
  }

  /** The job script, written once per session (temp + rename). */
  script(): string {
    if (this.scriptPath) return this.scriptPath;
    this.ensureDir();
    const path = join(this.dir, 'job.sh');
    writeAtomically(path, JOB_SCRIPT, 0o700);
    return (this.scriptPath = path);
  }

  /** A fresh directory for one run or one submission. */
  newDir(prefix: string): string {
    this.ensureDir();
    const dir = join(this.dir, `${prefix}-${randomBytes(6).toString('hex')}`);
    mkdirSync(dir, { mode: 0o700 });
    return dir;
  }

  private ensureDir(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    // mkdir's mode is masked by umask and ignored for existing parents: set it explicitly.
    chmodSync(join(this.dir, '..'), 0o700);
    chmodSync(this.dir, 0o700);
  }
}

/** Writes beside the path, then renames: a reader on another node never sees half a file. */
export function writeAtomically(path: string, content: string | Buffer, mode = 0o600): void {
  const temp = hiddenTempName(path);
  writeFileSync(temp, content, { mode });
  renameSync(temp, path);
}

/** An argv as the job script reads it: NUL-separated, so no value is ever split or re-quoted. */
export function argvFile(argv: readonly string[]): string {
  return argv.map((arg) => `${arg}\0`).join('');
}
