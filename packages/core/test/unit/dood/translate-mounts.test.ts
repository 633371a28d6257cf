import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '#test-support/temp-dir.js';
import { translateMounts } from '../../../src/backends/docker/dood/dood-resolver.js';
import { mountTableFrom } from '../../../src/backends/docker/dood/mount-table.js';

// A real directory tree stands in for our container's filesystem, so realpath and symlinks are real.
const root = realpathSync(tempDir('dood-unit'));
const work = join(root, 'workspace');
mkdirSync(join(work, 'refs'), { recursive: true });
mkdirSync(join(root, 'data'), { recursive: true });
writeFileSync(join(root, 'data', 'reads.fq'), '@r\nA\n+\nI\n');
symlinkSync(join(root, 'data', 'reads.fq'), join(work, 'reads-link.fq')); // a link out of the volume, into a bind
symlinkSync(join(root, 'outside'), join(work, 'dangling'));
const table = mountTableFrom({
  Mounts: [
    { Type: 'volume', Name: 'work', Source: '/var/lib/docker/volumes/work/_data', Destination: work, RW: true },
    { Type: 'bind', Source: '/srv/refs', Destination: join(work, 'refs'), RW: false },
    { Type: 'bind', Source: '/srv/data', Destination: join(root, 'data'), RW: true },
    { Type: 'bind', Source: '/var/run/docker.sock', Destination: join(work, 'docker.sock'), RW: true },
  ],
});

describe('translateMounts', () => {
  it('re-adds our mounts below a mounted directory, read-only where ours is, never the socket', () => {
    const mounts = translateMounts(table, [{ path: work, target: work, write: true }], true);
    expect(mounts).toEqual([
      { target: work, source: { type: 'volume', name: 'work' }, readOnly: false, localPath: work },
      { target: join(work, 'refs'), source: { type: 'bind', path: '/srv/refs' }, readOnly: true, localPath: join(work, 'refs') },
    ]);
  });

  it('follows a symlink out of one mount into another, keeping the path the tool is given', () => {
    const [mount] = translateMounts(table, [{ path: join(work, 'reads-link.fq'), target: join(work, 'reads-link.fq'), write: false }], true);
    expect(mount).toEqual({
      target: join(work, 'reads-link.fq'),
      source: { type: 'bind', path: '/srv/data/reads.fq' },
      readOnly: true,
      localPath: join(work, 'reads-link.fq'),
    });
  });

  it('mounts the whole volume at its own place when subpaths are unsupported', () => {
    const mounts = translateMounts(table, [{ path: join(work, 'run1'), target: join(work, 'run1'), write: true }], false);
    expect(mounts[0]).toEqual({ target: work, source: { type: 'volume', name: 'work' }, readOnly: false, localPath: work });
    expect(() => translateMounts(table, [{ path: join(work, 'run1'), target: '/in', write: true }], false)).toThrow(/can only mount whole/);
  });

  it('refuses a symlink that leads off every mount', () => {
    expect(() => translateMounts(table, [{ path: join(work, 'dangling'), target: '/x', write: false }], true)).toThrow(/is not under any mount/);
  });
});
