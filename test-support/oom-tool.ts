import { PassThrough } from 'node:stream';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunOptions, ToolEvent } from '@tooldock/core';
import { tempDir } from './temp-dir.js';

/**
 * Why an OOM test must hold its tool until the container is reported started: containerd's
 * runc shim starts the process and only then registers the cgroup's OOM watch (Start in
 * containerd-shim-runc-v2). A tool that reaches its memory limit in that gap is killed, but no
 * OOM event is ever sent and the daemon reports `OOMKilled: false` (seen under load on 2 cores).
 * The daemon's start call returns after the shim's Start, so the watch is in place by then.
 */
const ALLOCATE = (mib: number) => `dd if=/dev/zero of=/dev/null bs=${mib}M count=1`;

/**
 * A local run of `dd` allocating `mib` MiB, released through stdin once `container:started`
 * fired. Merge the returned options into the run's.
 */
export function oomAfterStart(mib: number, onEvent?: (event: ToolEvent) => void): { args: string[]; options: RunOptions } {
  const gate = new PassThrough();
  return {
    args: ['sh', '-c', `read go; ${ALLOCATE(mib)}`],
    options: {
      stdin: gate,
      onEvent: (event) => {
        if (event.type === 'container:started') gate.end('go\n');
        onEvent?.(event);
      },
    },
  };
}

/**
 * The same for a node's `docker run` (no start event reaches the caller): the tool waits for a
 * file in a writable mount, written once this host's daemon shows the session's container
 * running (the daemon marks it running after the shim's Start returned).
 */
export function oomAfterRunning(
  mib: number,
  sessionId: string,
): { args: string[]; mounts: Array<{ path: string; target: string; write: true }>; release: () => Promise<void> } {
  const dir = tempDir('oom-gate');
  return {
    args: ['sh', '-c', `until [ -e /gate/go ]; do sleep 0.05; done; ${ALLOCATE(mib)}`],
    mounts: [{ path: dir, target: '/gate', write: true }],
    release: async () => {
      const running = () =>
        execFileSync('docker', ['ps', '-q', '--filter', `label=tooldock.session=${sessionId}`, '--filter', 'status=running'], {
          encoding: 'utf8',
        }).trim();
      // The job may queue, and the node's container start may take seconds under load.
      let seen = false;
      for (let i = 0; i < 600 && !(seen = running() !== ''); i++) await new Promise((resolve) => setTimeout(resolve, 100));
      writeFileSync(join(dir, 'go'), ''); // even so: the tool must end
      if (!seen) throw new Error(`no running container of session ${sessionId} appeared within 60 s`);
    },
  };
}
