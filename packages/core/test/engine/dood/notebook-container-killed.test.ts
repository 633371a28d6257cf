import { beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@tooldock/core';
import { buildPackages } from '#test-support/built-packages.js';
import { captureStdout, createWorkbench, reaperGone } from '#test-support/workbench.js';

const docker = connect().docker;

describe('DooD: the notebook container itself is killed', () => {
  beforeAll(async () => {
    await buildPackages();
  }, 120_000);

  it('its tool containers are removed within 15 s by the sibling reaper', async () => {
    const workbench = await createWorkbench('packages/core/test/engine/dood/fixtures/inside-long.mjs');
    try {
      const output = await captureStdout(workbench);
      await workbench.start();
      const started = Date.now();
      while (!output.text().includes('RUNNING')) {
        if (Date.now() - started > 60_000) throw new Error(`the workbench did not start its tools: ${output.text()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const hostname = (await workbench.inspect()).Config.Hostname;
      const tools = () => docker.listContainers({ all: true, filters: { label: [`tooldock.host=${hostname}`] } });
      expect((await tools()).length).toBe(2);
      // The sibling reaper runs beside it, from the same image, with the same mounts.
      expect((await docker.listContainers({ filters: { label: [`tooldock.reaper-for=${workbench.id}`] } })).length).toBe(1);

      await workbench.kill(); // SIGKILL of the whole notebook container: its own watchdog dies too
      const killedAt = Date.now();
      let left = (await tools()).length;
      while (left > 0 && Date.now() - killedAt < 15_000) {
        await new Promise((r) => setTimeout(r, 250));
        left = (await tools()).length;
      }
      expect(left).toBe(0);
      await reaperGone(workbench.id);
    } finally {
      await workbench.remove({ force: true });
    }
  }, 120_000);
});
