import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { containerIdCandidates } from '../../../src/backends/docker/dood/container-id-candidates.js';
import { parseMountinfo } from '../../../src/backends/docker/dood/mountinfo.js';

const ID = '3f1c9a5be0f8d7e6c5b4a3928170615243342516f7e8d9c0b1a2938475665748';
const fixture = (name: string) => readFileSync(new URL(`../../fixtures/dood/${name}`, import.meta.url), 'utf8');

describe('own container id candidates', () => {
  it.each([
    ['cgroup v1 /docker/<id>', 'cgroup-v1-docker.txt'],
    ['cgroup v1 systemd docker-<id>.scope', 'cgroup-v1-systemd-scope.txt'],
    ['Kubernetes cri-containerd-<id>', 'cgroup-k8s-containerd.txt'],
    ['CRI-O crio-<id>.scope', 'cgroup-crio.txt'],
  ])('reads %s', (_, file) => {
    expect(containerIdCandidates({ cgroup: fixture(file) })).toEqual([ID]);
  });

  it('falls back to mountinfo under cgroup v2 (Docker) and for Podman', () => {
    expect(containerIdCandidates({ cgroup: fixture('cgroup-v2.txt'), mountinfo: fixture('mountinfo-docker-v2.txt') })).toEqual([ID]);
    expect(containerIdCandidates({ cgroup: fixture('cgroup-v2.txt'), mountinfo: fixture('mountinfo-podman.txt') })).toEqual([ID]);
  });

  it('puts the override first and the hostname last, without duplicates', () => {
    expect(containerIdCandidates({ override: 'abc123', cgroup: fixture('cgroup-v1-docker.txt'), hostname: ID.slice(0, 12) })).toEqual([
      'abc123',
      ID,
      ID.slice(0, 12),
    ]);
    expect(containerIdCandidates({ hostname: 'jupyter-lab' })).toEqual([]); // not an id: nothing to try
  });
});

describe('mountinfo', () => {
  it('parses mount points and decodes escaped spaces', () => {
    const entries = parseMountinfo(fixture('mountinfo-docker-v2.txt'));
    expect(entries.map((e) => e.mountPoint)).toEqual(['/', '/proc', '/etc/resolv.conf', '/etc/hostname', '/home/jovyan/work', '/run/docker.sock']);
    expect(entries[4]).toMatchObject({ root: '/srv/my project', fsType: 'ext4' });
  });
});
