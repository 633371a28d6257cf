import { describe, expect, it } from 'vitest';
import { mountTableFrom, type OwnMount } from '../../../src/backends/docker/dood/mount-table.js';
import { PathNotShareableError } from '../../../src/backends/docker/dood/path-not-shareable-error.js';
import { translatePath } from '../../../src/backends/docker/dood/translate-path.js';

// Our container as `docker inspect` would describe it (trailing slashes as users type them).
const table: OwnMount[] = mountTableFrom({
  Mounts: [
    { Type: 'bind', Source: '/srv/data', Destination: '/data/', RW: true },
    { Type: 'bind', Source: '/srv/data2', Destination: '/data2', RW: true },
    { Type: 'volume', Name: 'work', Source: '/var/lib/docker/volumes/work/_data', Destination: '/workspace', RW: true },
    { Type: 'bind', Source: '/srv/shared-refs', Destination: '/workspace/refs', RW: false },
    { Type: 'tmpfs', Source: '', Destination: '/scratch', RW: true },
    { Type: 'bind', Source: '/var/run/docker.sock', Destination: '/var/run/docker.sock', RW: true },
  ],
});
const old = { write: false, subpathSupported: false };
const recent = { write: false, subpathSupported: true };

describe('translatePath', () => {
  it('maps a bind by longest prefix on a / boundary (/data does not cover /data2)', () => {
    expect(translatePath(table, '/data/reads.fq', old).source).toEqual({ type: 'bind', path: '/srv/data/reads.fq' });
    expect(translatePath(table, '/data2/reads.fq', old).source).toEqual({ type: 'bind', path: '/srv/data2/reads.fq' });
    expect(translatePath(table, '/data', old).source).toEqual({ type: 'bind', path: '/srv/data' });
  });

  it('lets the deepest mount win (a bind nested in a volume)', () => {
    expect(translatePath(table, '/workspace/refs/hg38.fa', old).source).toEqual({ type: 'bind', path: '/srv/shared-refs/hg38.fa' });
  });

  it('uses a volume subpath on API ≥ 1.45 and the whole volume otherwise', () => {
    expect(translatePath(table, '/workspace/run1/out.bam', recent).source).toEqual({ type: 'volume', name: 'work', subpath: 'run1/out.bam' });
    const whole = translatePath(table, '/workspace/run1/out.bam', old);
    expect(whole.source).toEqual({ type: 'volume', name: 'work' });
    expect(whole.wholeVolumeAt).toBe('/workspace');
    expect(translatePath(table, '/workspace', recent)).toMatchObject({ source: { type: 'volume', name: 'work' } });
  });

  it('refuses writes to a read-only mount, naming it', () => {
    expect(() => translatePath(table, '/workspace/refs/new.fa', { ...old, write: true })).toThrow(
      /\/workspace\/refs\/new\.fa is on a read-only mount \(\/workspace\/refs\)/,
    );
  });

  it('refuses tmpfs and off-mount paths, listing the usable mounts', () => {
    expect(() => translatePath(table, '/scratch/tmp.sam', old)).toThrow(/is on a tmpfs \(\/scratch\)/);
    let error: PathNotShareableError | undefined;
    try {
      translatePath(table, '/home/jovyan/notes.txt', old);
    } catch (e) {
      error = e as PathNotShareableError;
    }
    expect(error).toBeInstanceOf(PathNotShareableError);
    expect(error!.message).toContain('/home/jovyan/notes.txt is not under any mount of this container');
    expect(error!.message).toContain('/data  ← bind /srv/data');
    expect(error!.message).toContain('/workspace/refs  ← bind /srv/shared-refs (read-only)');
    expect(error!.message).not.toContain('docker.sock'); // the socket is not offered as a place for data
  });

  it('handles a bind at / (everything is under it)', () => {
    const rooted = mountTableFrom({ Mounts: [{ Type: 'bind', Source: '/hostroot', Destination: '/', RW: true }] });
    expect(translatePath(rooted, '/etc/x.conf', old).source).toEqual({ type: 'bind', path: '/hostroot/etc/x.conf' });
  });
});
