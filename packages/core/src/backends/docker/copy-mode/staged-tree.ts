import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parentOf } from './archive-name.js';
import { CopyBackError, shown } from './copy-back-error.js';
import type { Identity } from './identity.js';

/** What an archive member is, once hard links are resolved to what they point at. */
export type MemberKind = 'directory' | 'file' | 'symlink' | 'special';

export interface Member {
  kind: MemberKind;
  /** Named by an entry of its own (a directory may also be implied by the entries below it). */
  explicit: boolean;
  /** Where its bytes wait in staging (files and hard links; not when they match what was sent). */
  staged?: string;
  /** A symlink's target. */
  linkname?: string;
  /** What the tool left there (a file's hash only where a comparison needed it); none for specials. */
  id?: Identity;
}

/**
 * The members of one archive so far, by path relative to the mount, and the staging directory
 * that holds the changed ones until the whole archive arrived. Staging is flat (members are
 * numbered files and symlinks, directories are made only in the destination), so no path in it
 * has a parent to resolve. The tree structure is checked here instead: no member may lie below
 * a non-directory member, nor appear twice.
 */
export class StagedTree {
  private readonly members = new Map<string, Member>([['', { kind: 'directory', explicit: false, id: { kind: 'dir' } }]]);
  private count = 0;

  constructor(readonly dir: string) {}

  /** Whether anything was staged (and the staging directory exists). */
  get used(): boolean {
    return this.count > 0;
  }

  member(rel: string): Member | undefined {
    return this.members.get(rel);
  }

  /** Records a member; refuses one that appears twice or lies below a non-directory. */
  admit(rel: string, kind: MemberKind, linkname?: string): Member {
    const earlier = this.members.get(rel);
    if (earlier) {
      // A directory implied by earlier members may still get its own entry, once.
      if (earlier.kind === 'directory' && !earlier.explicit && kind === 'directory') {
        earlier.explicit = true;
        return earlier;
      }
      throw new CopyBackError(`copy mode refused the archive member ${shown(rel)}: it appears twice in the archive`);
    }
    this.requireDirectory(parentOf(rel), rel);
    const member: Member = { kind, explicit: true, linkname };
    this.members.set(rel, member);
    return member;
  }

  /** A fresh path in staging for `member` (the staging directory is made with the first one). */
  async stage(member: Member): Promise<string> {
    // Private until renamed into place; made lazily, as most copy-backs change few files or none.
    if (this.count === 0) await mkdir(this.dir, { mode: 0o700 });
    member.staged = join(this.dir, String(this.count++));
    return member.staged;
  }

  private requireDirectory(rel: string, below: string): void {
    const member = this.members.get(rel);
    if (member?.kind === 'directory') return; // its own parents were checked when it was added
    if (member) {
      throw new CopyBackError(
        `copy mode refused the archive member ${shown(below)}: it lies below ${shown(rel)}, which is a ${member.kind === 'special' ? 'device or FIFO' : member.kind} in the same archive; a daemon never sends that`,
      );
    }
    this.requireDirectory(parentOf(rel), below);
    this.members.set(rel, { kind: 'directory', explicit: false, id: { kind: 'dir' } });
  }

  /** Every member's path (parents before children, as the archive named them). */
  paths(): IterableIterator<string> {
    return this.members.keys();
  }
}
