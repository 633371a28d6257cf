import { describe, expect, it } from 'vitest';
import { isToolError, runTool } from '@tooldock/core';
import { session } from '@tooldock/core/docker';
import { usePodmanOnNodes } from '#test-support/podman-nodes.js';
import { activeJobs, sessionContainers, testCluster } from '#test-support/slurm-engine.js';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();
const cluster = testCluster('podman');
usePodmanOnNodes([busybox]);

describe('runtime: "podman" on the nodes', () => {
  it('runs the tool with podman run, as the caller, with its exit code and output', async () => {
    const dir = tempDir('slurm-podman');
    const result = await runTool(busybox, ['sh', '-c', `id -u; ls ${dir} >/dev/null; echo "$QUOTED|"; echo err >&2; exit 6`], [dir], {
      engine: cluster,
      reject: false,
      env: { QUOTED: "'q' $x=y " }, // through --env-file: taken literally
    });
    expect(result.exitCode).toBe(6);
    expect(result.stdout).toBe(`${process.getuid!()}\n'q' $x=y |\n`);
    expect(result.stderr).toBe('err\n');
    expect(sessionContainers(session.id, 'podman')).toEqual([]);
  });

  it('cancel removes the podman container too', async () => {
    const run = runTool(busybox, ['sleep', '300'], [], { engine: cluster });
    for (let i = 0; i < 200 && sessionContainers(session.id, 'podman').length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(sessionContainers(session.id, 'podman')).toHaveLength(1);
    run.cancel();
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isToolError(error) && error.canceled).toBe(true);
    for (let i = 0; i < 120 && (activeJobs().length || sessionContainers(session.id, 'podman').length); i++)
      await new Promise((r) => setTimeout(r, 250));
    expect(activeJobs()).toEqual([]);
    expect(sessionContainers(session.id, 'podman')).toEqual([]);
  });
});
