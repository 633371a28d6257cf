import { constants, createWriteStream, type Stats } from 'node:fs';
import { chmod, lstat, mkdir, open, readlink, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { refuseLinkedRoot } from '../../../util/link-safety.js';
import { pipeline } from 'node:stream/promises';
import { parentOf } from './archive-name.js';
import { CopyBackError, shown } from './copy-back-error.js';

/**
 * The local side of a writable mount, reached only through directories verified with `lstat`
 * from the mount's (already resolved) root down: a symlink in the middle of a path — left by the
 * tool in an earlier run, or by anyone — is never followed, and neither is the root itself when
 * it was swapped for a link after it was resolved (refused: {@link LinkedPathError}). Verified
 * directories are cached, so a copy-back costs one `lstat` per directory, not per file.
 */
export class DestinationTree {
  /** Directories found to be real directories (true) or not (false) while staging. */
  private readonly probed = new Map<string, boolean>();
  /** Directories made sure of while committing (the tree may have changed since probing). */
  private readonly ensured = new Set<string>();

  constructor(readonly base: string) {}

  path(rel: string): string {
    return join(this.base, rel);
  }

  /**
   * Refuses a name this filesystem cannot hold before anything is moved in, so that it cannot
   * fail halfway through (Linux: 255 bytes a name, 4096 a path, NUL included).
   */
  checkNameLength(rel: string): void {
    if (Buffer.byteLength(this.path(rel)) >= 4096 || rel.split('/').some((name) => Buffer.byteLength(name) > 255)) {
      throw Object.assign(new Error(`name too long: ${rel}`), { code: 'ENAMETOOLONG' });
    }
  }

  /**
   * What is at `rel` here, without following any symlink: undefined when it is missing or when a
   * parent is not a real directory (then the copy-back will make one, and `rel` is new there).
   */
  async probe(rel: string): Promise<Stats | undefined> {
    if (!(await this.isRealDirectory(parentOf(rel)))) return undefined;
    return lstat(this.path(rel)).catch(absent);
  }

  /**
   * Makes `rel` a real directory, parents first. Something else there (a symlink, a file, a FIFO)
   * is what the tool replaced by a directory: it is unlinked — the link itself, never what it
   * points at — and the directory made, as the tool's own view (and a bind mount) would have it.
   */
  async ensureDirectory(rel: string): Promise<void> {
    if (this.ensured.has(rel)) return;
    if (rel === '') {
      await this.verifyRoot();
      this.ensured.add('');
      return;
    }
    await this.ensureDirectory(parentOf(rel));
    const path = this.path(rel);
    const here = await lstat(path).catch(absent);
    if (!here?.isDirectory()) {
      if (here) await unlink(path);
      await mkdir(path).catch(async (error: NodeJS.ErrnoException) => {
        // Made meanwhile by a parallel copy-back into the same directory: fine if it is one.
        if (error.code !== 'EEXIST' || !(await lstat(path)).isDirectory()) throw error;
      });
    }
    this.ensured.add(rel);
    this.probed.set(rel, true);
  }

  /**
   * Copies the regular file at `rel` (unchanged by the tool, hard-linked to by a new name) to
   * `to`, refusing anything but a regular file: `O_NOFOLLOW` on the file itself, parents verified.
   */
  async copyFileTo(rel: string, to: string): Promise<void> {
    const here = await this.probe(rel);
    if (!here?.isFile()) throw new CopyBackError(`copy mode refused to copy ${shown(this.path(rel))}: it is no longer a regular file here`);
    const source = await open(this.path(rel), constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const stat = await source.stat();
      if (!stat.isFile()) throw new CopyBackError(`copy mode refused to copy ${shown(this.path(rel))}: it is not a regular file`);
      await pipeline(source.createReadStream({ autoClose: false }), createWriteStream(to, { flags: 'wx', mode: stat.mode & 0o777 }));
    } finally {
      await source.close();
    }
  }

  /** The root, resolved before, must still be a real directory (or the mount's single file's directory). */
  private async verifyRoot(): Promise<void> {
    await refuseLinkedRoot(this.base);
  }

  /** A symlink's target here (`rel` was just probed as a symlink, through verified parents). */
  async readLink(rel: string): Promise<string> {
    return readlink(this.path(rel));
  }

  /**
   * Deletes the file or symlink at `rel` (the tool deleted it): the name itself, never what a
   * link points at, and only below verified directories. Already gone: nothing to do.
   */
  async remove(rel: string): Promise<void> {
    const here = await this.probe(rel);
    if (!here || here.isDirectory()) return;
    await unlink(this.path(rel)).catch(absent);
  }

  /** Deletes the directory at `rel` if it is empty; false when something is still in it. */
  async removeDirectory(rel: string): Promise<boolean> {
    const here = await this.probe(rel);
    if (!here?.isDirectory()) return true;
    this.forget(rel);
    try {
      await rmdir(this.path(rel));
      return true;
    } catch (error) {
      if (['ENOTEMPTY', 'EEXIST'].includes((error as NodeJS.ErrnoException).code ?? '')) return false;
      throw error;
    }
  }

  /**
   * Sets the permission bits of the file or directory at `rel`. A file is changed through its own
   * descriptor opened with `O_NOFOLLOW`; a directory (or an unreadable file) after `lstat` said it is
   * one, below verified parents: a symlink there is never followed.
   */
  async setMode(rel: string, mode: number): Promise<void> {
    const here = await this.probe(rel);
    if (!here || here.isSymbolicLink() || (!here.isFile() && !here.isDirectory())) return;
    if (here.isFile()) {
      const file = await open(this.path(rel), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(() => undefined);
      if (file) {
        try {
          return await file.chmod(mode);
        } finally {
          await file.close();
        }
      }
    }
    await chmod(this.path(rel), mode);
  }

  /** What was learnt about `rel` and below is stale once it is removed or replaced. */
  forget(rel: string): void {
    for (const known of [...this.probed.keys()]) if (known === rel || known.startsWith(`${rel}/`)) this.probed.delete(known);
    for (const known of [...this.ensured]) if (known === rel || known.startsWith(`${rel}/`)) this.ensured.delete(known);
  }

  private async isRealDirectory(rel: string): Promise<boolean> {
    const known = this.probed.get(rel);
    if (known !== undefined) return known;
    if (rel === '') {
      await this.verifyRoot();
      this.probed.set('', true);
      return true;
    }
    const real = (await this.isRealDirectory(parentOf(rel))) && (await lstat(this.path(rel)).catch(absent))?.isDirectory() === true;
    this.probed.set(rel, real);
    return real;
  }
}

/** Missing (or below a non-directory): nothing there. Other errors are real failures. */
function absent(error: NodeJS.ErrnoException): undefined {
  if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
  throw error;
}
