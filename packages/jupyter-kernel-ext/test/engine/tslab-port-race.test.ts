import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '#test-support/built-packages.js';
import { freePort } from '#test-support/free-port.js';
import { tempDir } from '#test-support/temp-dir.js';

// jupyter_client picks a kernel's ports and releases them before the kernel binds them; another
// process may take one in between. A fresh-clone run lost a browser test to this: the tslab
// kernel never answered ("did not start" after 60 s). scripts/tslab-bind-guard.cjs makes tslab
// exit instead, so that Jupyter restarts it on new ports, as it does for Deno, which exits.
const tslab = join(repoRoot, 'node_modules', '.bin', 'tslab');
const guard = join(repoRoot, 'scripts', 'tslab-bind-guard.cjs');

describe('a tslab kernel whose port was taken before it could bind it', () => {
  let busy: Server;
  const connectionFile = join(tempDir('tslab-ports'), 'kernel.json');
  afterAll(() => busy?.close());

  const start = (env: NodeJS.ProcessEnv) => {
    const kernel = spawn(tslab, ['kernel', '--config-path', connectionFile], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    kernel.stdout.on('data', (d: Buffer) => (output += d.toString()));
    kernel.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => kernel.once('exit', resolve));
    return { kernel, exited, output: () => output };
  };

  it('keeps running unanswering without the guard, and exits with it', async () => {
    busy = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => busy.once('listening', resolve));
    const shellPort = (busy.address() as { port: number }).port;
    const ports = { iopub_port: await freePort(), stdin_port: await freePort(), control_port: await freePort(), hb_port: await freePort() };
    const connection = { ...ports, shell_port: shellPort, ip: '127.0.0.1', transport: 'tcp', key: 'k', signature_scheme: 'hmac-sha256' };
    writeFileSync(connectionFile, JSON.stringify(connection));

    const bare = start({ NODE_OPTIONS: '' });
    for (let i = 0; i < 300 && !bare.output().includes('Address already in use'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(bare.output()).toContain('Address already in use');
    await new Promise((r) => setTimeout(r, 2000));
    expect(bare.kernel.exitCode, 'tslab now exits on its own: the guard can go').toBeNull();
    bare.kernel.kill('SIGKILL');
    await bare.exited;

    const guarded = start({ NODE_OPTIONS: `--require ${guard}` });
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 30_000));
    expect(await Promise.race([guarded.exited, timeout]), guarded.output()).toBe(1);
    expect(guarded.output()).toContain(`could not bind tcp://127.0.0.1:${shellPort} (in use)`);
  }, 60_000);
});
