import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPackages } from '#test-support/built-packages.js';

const cli = fileURLToPath(new URL('../../../dist/bin/tooldock.js', import.meta.url));

describe('tooldock doctor, for a user outside the socket group', () => {
  beforeAll(async () => {
    await buildPackages();
  }, 120_000);

  it('names the socket problem and the --group-add fix, and exits non-zero', async () => {
    if (process.getuid!() !== 0) throw new Error('this test starts the CLI as uid 65534 and needs root');
    const gid = statSync('/var/run/docker.sock').gid;
    const result = await promisify(execFile)(process.execPath, [cli, 'doctor'], { uid: 65534, gid: 65534 }).then(
      () => ({ code: 0, stdout: '' }),
      (e: { code: number; stdout: string }) => e,
    );
    if (process.env.TOOLDOCK_PRINT_DOCTOR) console.log(result.stdout);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('NOT usable by us');
    expect(result.stdout).toMatch(
      new RegExp(`problem: this process \\(uid 65534, groups .*\\) may not use /var/run/docker.sock \\(owner 0:${gid}, mode 660\\)`),
    );
    expect(result.stdout).toContain(`fix: add the socket's group: docker run --group-add ${gid}`);
    expect(result.stdout).toMatch(/not reachable: Cannot reach the Docker daemon .*permission denied/);
  });
});
