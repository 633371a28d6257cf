import { describe, expect, it } from 'vitest';
import type { ToolUser } from '../../src/backends/docker/identity/caller-user.js';
import { containerConfig } from '../../src/backends/docker/container-config.js';
import { RunOptionsSchema, type RunOptions } from '../../src/api/options.js';
import type { ResolvedMount } from '../../src/api/run-result.js';

const nonRoot: ToolUser = { user: '1000:1000', groups: [], home: '/tmp' };
const root: ToolUser = { user: '0:0', groups: [], home: '/tmp' };
const imageUser: ToolUser = { user: undefined, groups: [], home: undefined };

function hostConfig(options: RunOptions = {}, user: ToolUser = nonRoot, masks?: string[], mounts: ResolvedMount[] = []) {
  return containerConfig({ image: 'img', args: ['true'], mounts, masks, user, options: RunOptionsSchema.parse(options) }).HostConfig!;
}

describe('containerConfig: hardening', () => {
  it('by default: no new privileges, 4096 processes, no capabilities for a non-root tool', () => {
    expect(hostConfig()).toMatchObject({ SecurityOpt: ['no-new-privileges'], PidsLimit: 4096, CapDrop: ['ALL'] });
    expect(hostConfig()).not.toHaveProperty('CapAdd');
    expect(hostConfig({}, { ...nonRoot, user: '1000' }).CapDrop).toEqual(['ALL']);
  });

  it("keeps the daemon's default capabilities for root, and for the image's own user (it may be root)", () => {
    for (const user of [root, { ...root, user: '0' }, imageUser]) {
      const config = hostConfig({}, user);
      expect(config).not.toHaveProperty('CapDrop');
      expect(config).not.toHaveProperty('CapAdd');
      expect(config.SecurityOpt).toEqual(['no-new-privileges']);
    }
  });

  it('each default can be overridden', () => {
    expect(hostConfig({ noNewPrivileges: false })).not.toHaveProperty('SecurityOpt');
    expect(hostConfig({ pidsLimit: null })).not.toHaveProperty('PidsLimit');
    expect(hostConfig({ pidsLimit: 100 }).PidsLimit).toBe(100);
    expect(hostConfig({ capabilities: 'default' })).not.toHaveProperty('CapDrop');
    expect(hostConfig({ capabilities: ['CHOWN', 'CAP_FOWNER'] }, root)).toMatchObject({ CapDrop: ['ALL'], CapAdd: ['CHOWN', 'CAP_FOWNER'] });
    expect(hostConfig({ capabilities: [] }, root)).toMatchObject({ CapDrop: ['ALL'], CapAdd: [] });
  });
});

describe('containerConfig: socket masks', () => {
  it('covers each mask with a read-only /dev/null, after the mounts it lies in', () => {
    const run: ResolvedMount = { target: '/run', source: { type: 'bind', path: '/run' }, readOnly: true, localPath: '/run' };
    expect(hostConfig({}, nonRoot, ['/run/docker.sock'], [run]).Mounts).toEqual([
      { Type: 'bind', Source: '/run', Target: '/run', ReadOnly: true },
      { Type: 'bind', Source: '/dev/null', Target: '/run/docker.sock', ReadOnly: true },
    ]);
  });

  it('adds nothing without masks', () => {
    expect(hostConfig({}, nonRoot, undefined).Mounts).toEqual([]);
    expect(hostConfig({}, nonRoot, []).Mounts).toEqual([]);
  });
});
