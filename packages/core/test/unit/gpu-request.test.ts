import { describe, expect, it } from 'vitest';
import { runTool } from '@tooldock/core';
import { thrown } from '#test-support/invalid-input.js';
import { containerConfig } from '../../src/backends/docker/container-config.js';
import { deviceRequests, noGpuSupport } from '../../src/backends/docker/gpu-request.js';
import { RunOptionsSchema, type RunOptions } from '../../src/api/options.js';

function requestsFor(options: RunOptions) {
  const user = { user: '1000:1000', groups: [], home: '/tmp' };
  return containerConfig({ image: 'img', args: ['true'], mounts: [], user, options: RunOptionsSchema.parse(options) }).HostConfig!.DeviceRequests;
}

// What the docker CLI sends for `--gpus all`, `--gpus 2` and `--gpus '"device=0,GPU-…"'` (its opts/gpus.go).
describe('gpus → HostConfig.DeviceRequests', () => {
  it('maps "all", a count and device ids as docker run --gpus does', () => {
    expect(requestsFor({ gpus: 'all' })).toEqual([{ Driver: '', Count: -1, Capabilities: [['gpu']], Options: {} }]);
    expect(requestsFor({ gpus: 2 })).toEqual([{ Driver: '', Count: 2, Capabilities: [['gpu']], Options: {} }]);
    expect(requestsFor({ gpus: ['0', 'GPU-3a23c669-1f69-c64e-cf85-44e9b07e7a2a', 'MIG-GPU-3a23c669/1/0'] })).toEqual([
      {
        Driver: '',
        Count: 0,
        DeviceIDs: ['0', 'GPU-3a23c669-1f69-c64e-cf85-44e9b07e7a2a', 'MIG-GPU-3a23c669/1/0'],
        Capabilities: [['gpu']],
        Options: {},
      },
    ]);
  });

  it('asks for no device without the option', () => {
    expect(requestsFor({})).toBeUndefined();
    expect(deviceRequests(undefined)).toBeUndefined();
  });

  it('rejects anything else with one clear InvalidInputError naming the value and the valid forms', () => {
    for (const gpus of [0, -1, 1.5, 'some', 'ALL', [], ['0,1'], ['0 1'], [''], [3]]) {
      const error = thrown(() => runTool('busybox', ['true'], [], { gpus: gpus as never }));
      expect(error.field).toMatch(/^options\.gpus/);
      expect(error.message).toMatch(/must be "all", a whole number of GPUs|a GPU id must be a device index or UUID/);
    }
  });

  it("explains the daemon's refusal when it has no GPU driver, and only that refusal", () => {
    const words = 'could not select device driver "" with capabilities: [[gpu]]';
    expect(noGpuSupport(words, new Error(words))?.message).toMatch(/cannot give the tool GPUs .*NVIDIA Container Toolkit/);
    expect(noGpuSupport('No such image: x', new Error('x'))).toBeUndefined();
  });
});
