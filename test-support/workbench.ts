import { statSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { connect } from '@tooldock/core';
import { repoRoot } from './built-packages.js';
import { testImages } from './test-images.js';

type Docker = ReturnType<typeof connect>['docker'];
type Container = Awaited<ReturnType<Docker['createContainer']>>;
type MountSettings = NonNullable<NonNullable<Parameters<Docker['createContainer']>[0]['HostConfig']>['Mounts']>[number];

/**
 * A stand-in notebook container (the workbench image: bio + node) running `node <script>` from
 * this repository (mounted read-only at /opt/tooldock) as uid 1000 with the socket's group —
 * the DooD set-up the guides describe.
 */
export async function createWorkbench(script: string, extraMounts: MountSettings[] = [], env: string[] = []): Promise<Container> {
  const images = testImages() as ReturnType<typeof testImages> & { workbench: string };
  return connect().docker.createContainer({
    Image: images.workbench,
    Cmd: ['node', `/opt/tooldock/${script}`],
    User: '1000:1000',
    Env: [`BIO=${images.bio}`, `BUSYBOX=${images.busybox}`, 'HOME=/tmp', ...env],
    Labels: { 'tooldock.test': 'workbench' },
    HostConfig: {
      NetworkMode: 'none',
      GroupAdd: [String(statSync('/var/run/docker.sock').gid)],
      Mounts: [
        { Type: 'bind', Source: '/var/run/docker.sock', Target: '/var/run/docker.sock' },
        { Type: 'bind', Source: repoRoot, Target: '/opt/tooldock', ReadOnly: true },
        ...extraMounts,
      ],
    },
  });
}

/** Collects a container's stdout (attached before start). */
export async function captureStdout(container: Container): Promise<{ text: () => string; stream: PassThrough }> {
  const stream = await container.attach({ stream: true, stdout: true, stderr: true });
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  connect().docker.modem.demuxStream(stream, out, process.stderr);
  return { text: () => Buffer.concat(chunks).toString(), stream: out };
}

/** Waits until the sibling reaper of `containerId` has finished (it removes itself). */
export async function reaperGone(containerId: string, withinMs = 20_000): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < withinMs) {
    const list = await connect().docker.listContainers({ all: true, filters: { label: [`tooldock.reaper-for=${containerId}`] } });
    if (list.length === 0) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the sibling reaper of ${containerId} is still there after ${withinMs} ms`);
}

/**
 * Starts a created workbench, waits for it to exit and returns the JSON its script printed on
 * its last line; a non-zero exit throws with everything it printed.
 */
export async function workbenchReport<T>(workbench: Container): Promise<T> {
  const output = await captureStdout(workbench);
  await workbench.start();
  const { StatusCode } = await workbench.wait();
  await new Promise((r) => setTimeout(r, 100)); // the last bytes of the attach stream
  const text = output.text();
  if (StatusCode !== 0) throw new Error(`workbench exited ${StatusCode}: ${text}`);
  return JSON.parse(text.trim().split('\n').pop()!) as T;
}

/** Creates a workbench for `script`, runs it to its report and removes it; its id is for reaperGone(). */
export async function runWorkbench<T>(script: string, extraMounts: MountSettings[] = [], env: string[] = []): Promise<{ id: string; report: T }> {
  const workbench = await createWorkbench(script, extraMounts, env);
  try {
    return { id: workbench.id, report: await workbenchReport<T>(workbench) };
  } finally {
    await workbench.remove({ force: true });
  }
}
