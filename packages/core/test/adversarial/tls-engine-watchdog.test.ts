import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@tooldock/core';
import { buildPackages } from '#test-support/built-packages.js';
import { usePrivateDaemon } from '#test-support/private-daemon.js';
import { testImages } from '#test-support/test-images.js';
import { makeTlsCerts } from '#test-support/tls-certs.js';

const { busybox } = testImages();
const fixture = fileURLToPath(new URL('./fixtures/held-run.mjs', import.meta.url));
const certs = makeTlsCerts();
const port = 23000 + (process.pid % 2000);
const tcp = `tcp://127.0.0.1:${port}`;
const daemon = usePrivateDaemon(
  [busybox],
  [tcp],
  ['--tlsverify', '--tlscacert', certs.server.ca, '--tlscert', certs.server.cert, '--tlskey', certs.server.key],
);
const tlsEnv = { ...process.env, DOCKER_HOST: tcp, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs.clientDir, TOOLDOCK_REAPER: '1' };

/** Pids of the processes whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map(Number)
    .filter((p) => {
      try {
        return Number(readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) === pid;
      } catch {
        return false;
      }
    });
}

/** Every form in which the key's bytes could sit in a command line. */
function keyForms(key: Buffer): string[] {
  const body = key
    .toString('utf8')
    .split('\n')
    .find((line) => line.length > 40)!; // a base64 line of the PEM
  return [body, key.toString('base64').slice(0, 60), [...key.subarray(0, 40)].join(',')];
}

async function sessionContainers(session: string): Promise<number> {
  return (await daemon.engine().docker.listContainers({ all: true, filters: { label: [`tooldock.session=${session}`] } })).length;
}

// Issue 23, item 1: a TLS engine's client key was on the watchdog's command line
// (/proc/<pid>/cmdline, readable by every local user), and the Buffers reached it as {type,data}
// objects it could not use: after a SIGKILL of the caller, the container stayed up.
describe('a TLS tcp:// engine: the watchdog gets no key on its command line, and still reaps', () => {
  beforeAll(async () => {
    await buildPackages();
  }, 120_000);

  it('the engine is reachable only with the client certificate (the set-up is real TLS)', async () => {
    const engine = connect({ host: tcp }); // DOCKER_CERT_PATH is not set in this process
    await expect(engine.docker.ping()).rejects.toBeDefined();
  });

  it('SIGKILL of the caller: no key bytes in any process argv; the container is removed within 15 s', async () => {
    const child = spawn(process.execPath, [fixture, busybox], { env: tlsEnv, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    let session = '';
    for await (const line of createInterface({ input: child.stdout })) {
      if (line.startsWith('SESSION ')) session = line.slice('SESSION '.length);
      if (line === 'RUNNING') break;
    }
    expect(await sessionContainers(session)).toBe(1);
    const watchdogs = childrenOf(child.pid!).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('tooldock.session'));
    expect(watchdogs.length).toBe(1);
    // No process on the machine — the watchdog or any other — shows the key in its argv.
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      let cmdline = '';
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      for (const form of keyForms(certs.clientKey)) expect(cmdline.includes(form), `pid ${pid} shows the client key`).toBe(false);
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const started = Date.now();
    while ((await sessionContainers(session)) > 0 && Date.now() - started < 15_000) await new Promise((r) => setTimeout(r, 250));
    expect(await sessionContainers(session)).toBe(0);
  });
});
