import { describe, expect, it } from 'vitest';
import { toolUser } from '../../src/backends/docker/identity/caller-user.js';

const uid = process.getuid!();
const gid = process.getgid!();

describe('toolUser', () => {
  it('runs as the caller by default, with a writable HOME', () => {
    expect(toolUser('auto')).toMatchObject({ user: `${uid}:${gid}`, home: '/tmp' });
  });
  it('maps rootless Docker to 0:0 (container root is the caller on the host)', () => {
    expect(toolUser('auto', 'rootless')).toEqual({ user: '0:0', groups: [], home: '/tmp' });
  });
  it('uses keep-id on rootless Podman, and plain ids on rootful Podman (which refuses keep-id)', () => {
    expect(toolUser('auto', 'podman-rootless')).toEqual({ user: `${uid}:${gid}`, groups: [], home: '/tmp', usernsMode: 'keep-id' });
    expect(toolUser('auto', 'podman')).toEqual({ user: `${uid}:${gid}`, groups: [], home: '/tmp' });
  });
  it('keeps explicit ids and the image user as given', () => {
    expect(toolUser('1000:100', 'rootless')).toEqual({ user: '1000:100', groups: [], home: '/tmp' });
    expect(toolUser('image', 'podman')).toEqual({ user: undefined, groups: [], home: undefined });
  });
});
