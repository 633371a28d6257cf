import { describe, expect, it } from 'vitest';
import { connect, doctor, runTool, type RunOptions, type ToolError } from '@tooldock/core';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();
const docker = connect().docker;

/**
 * Runs with `gpus` on this machine's daemon (no GPU, no NVIDIA Container Toolkit): the device
 * request as the daemon stored it at create (read the moment the container exists, before the
 * start is refused), and the run's error.
 */
async function gpuRun(gpus: RunOptions['gpus']): Promise<{ received: unknown; error: ToolError }> {
  let inspected: Promise<unknown> | undefined;
  const error = await runTool(busybox, ['true'], [], {
    gpus,
    onEvent: (event) => {
      if (event.type === 'container:created')
        inspected = docker
          .getContainer(event.containerId)
          .inspect()
          .then((i) => i.HostConfig.DeviceRequests);
    },
  }).then(
    () => {
      throw new Error('a run with gpus started on a daemon without GPUs');
    },
    (e: unknown) => e as ToolError,
  );
  return { received: await inspected, error };
}

// Not run on a GPU (none exists on these machines): what is checked is the request the daemon
// receives, and the failure without one. docs/gpus.md says so.
describe('gpus', () => {
  it('reaches the daemon as docker run --gpus sends it: all, a count, device ids', async () => {
    const all = await gpuRun('all');
    expect(all.received).toEqual([{ Driver: '', Count: -1, DeviceIDs: null, Capabilities: [['gpu']], Options: {} }]);
    expect((await gpuRun(2)).received).toEqual([{ Driver: '', Count: 2, DeviceIDs: null, Capabilities: [['gpu']], Options: {} }]);
    const ids = ['0', 'GPU-3a23c669-1f69-c64e-cf85-44e9b07e7a2a'];
    expect((await gpuRun(ids)).received).toEqual([{ Driver: '', Count: 0, DeviceIDs: ids, Capabilities: [['gpu']], Options: {} }]);
  });

  it('fails to start with a clear ToolError naming the missing toolkit when the daemon has no GPU driver', async () => {
    const { error } = await gpuRun('all');
    expect(error.shortMessage).toMatch(
      /^Could not start true: the daemon cannot give the tool GPUs \(could not select device driver "" with capabilities: \[\[gpu\]\]\): install the NVIDIA Container Toolkit/,
    );
    expect(error).toMatchObject({ exitCode: undefined, canceled: false, timedOut: false });
  });

  it('doctor() says whether the daemon has an NVIDIA runtime', async () => {
    const report = await doctor();
    expect(report.engine.gpus).toEqual({ nvidiaRuntime: false, runtimes: expect.arrayContaining(['runc']) });
    expect(report.text).toMatch(
      /^gpus {7}no NVIDIA runtime \(runtimes: .*runc.*\): runs with the gpus option will fail to start; see docs\/gpus\.md$/m,
    );
  });
});
