import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { connect, EngineUnreachableError, runTool, type ToolError } from '@tooldock/core';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();
const dist = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

describe('daemon unreachable', () => {
  it('names the socket and the fix when no socket exists', async () => {
    const engine = connect({ socketPath: '/tmp/tooldock-no-such.sock' });
    const error = await runTool(busybox, ['true'], [], { engine }).then(
      () => undefined,
      (e: unknown) => e as ToolError,
    );
    expect(error?.cause).toBeInstanceOf(EngineUnreachableError);
    expect(error!.message).toContain('unix:///tmp/tooldock-no-such.sock');
    expect(error!.message).toMatch(/no socket at \/tmp\/tooldock-no-such\.sock/);
    expect(error!.message).toMatch(/Fix: .*mount the host socket.*DOCKER_HOST/);
  });

  it('explains permission denied with the socket group to add (real EACCES as an unprivileged uid)', async () => {
    if (process.getuid!() !== 0) throw new Error('this test starts a child as uid 65534 and needs root');
    const script = `
      import { connect } from ${JSON.stringify(dist)};
      try { await connect().ping(); console.log('reachable'); }
      catch (e) { console.log(JSON.stringify({ name: e.name, message: e.message })); }`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { uid: 65534, gid: 65534 });
    const report = JSON.parse(stdout) as { name: string; message: string };
    const { statSync } = await import('node:fs');
    const gid = statSync('/var/run/docker.sock').gid;
    expect(report.name).toBe('EngineUnreachableError');
    expect(report.message).toMatch(/permission denied on the socket \(EACCES\)/);
    expect(report.message).toContain(`--group-add ${gid}`);
  });
});
