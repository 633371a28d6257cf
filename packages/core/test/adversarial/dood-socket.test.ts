import { statSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPackages } from '#test-support/built-packages.js';
import { createWorkbench, workbenchReport, reaperGone } from '#test-support/workbench.js';

type Report = Record<string, { ok: boolean; value?: string; error?: string; cause?: string }>;
const answered = /HTTP\/1\.\d 200/;

// DooD: the notebook container reaches the daemon through the host's socket, and also sees the
// host's /run (where that socket lives, under a name of the host's). A tool given that directory
// must find nothing to talk to, and must not get the socket's group.
describe('DooD: the daemon socket never reaches a tool', () => {
  const socketGid = String(statSync('/var/run/docker.sock').gid);
  let report: Report;

  beforeAll(async () => {
    await buildPackages();
    const workbench = await createWorkbench('packages/core/test/adversarial/fixtures/dood-socket.mjs', [
      { Type: 'bind', Source: '/run', Target: '/hostrun', ReadOnly: true },
    ]);
    try {
      report = await workbenchReport<Report>(workbench);
    } finally {
      await workbench.remove({ force: true });
      await reaperGone(workbench.id);
    }
  }, 240_000);

  it('masks it in a mounted directory where the host names it differently', () => {
    expect(report.hostRun).toMatchObject({ ok: true });
    const [groups = '', probe] = report.hostRun!.value!.split('\n');
    expect(probe).toMatch(/unreachable/);
    expect(probe).not.toMatch(answered);
    expect(groups.split(' ')).toEqual(['1000']);
  });

  it('exposes it, with the group, only when asked', () => {
    const [groups = '', probe] = report.hostRunExposed!.value!.split('\n');
    expect(probe).toMatch(answered);
    expect(groups.split(' ')).toContain(socketGid);
  });

  it('refuses a mount of the socket itself', () => {
    expect(report.socketItself).toMatchObject({ ok: false, error: expect.stringMatching(/daemon's socket.*exposeDaemonSocket/s) });
  });
});
