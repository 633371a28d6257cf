import { describe, expect, it } from 'vitest';
import { runTool, type RunOptions } from '@tooldock/core';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();

/** The tool's own view of its privileges, from /proc/self/status. */
async function privileges(options: RunOptions): Promise<Record<string, string>> {
  const { stdout } = await runTool(busybox, ['grep', '-E', '^(NoNewPrivs|CapEff|CapBnd):', '/proc/self/status'], [], options);
  return Object.fromEntries(
    String(stdout)
      .trim()
      .split('\n')
      .map((line) => line.split(/:\s+/) as [string, string]),
  );
}

const none = '0000000000000000';
const nonRoot = { user: '1000:1000' } as const;

/**
 * A fork bomb in miniature: forks up to 300 sleepers and prints the count after each; busybox sh
 * dies at the first fork the pids limit refuses. Bounded, so a missing limit cannot hurt the host.
 */
async function forkedBeforeRefused(options: RunOptions): Promise<number> {
  const result = await runTool(busybox, ['sh', '-c', 'n=0; while [ $n -lt 300 ]; do sleep 60 & n=$((n+1)); echo $n; done'], [], {
    ...options,
    reject: false,
    timeoutMs: 60_000,
  });
  return Number(String(result.stdout).trim().split('\n').pop());
}

describe('tool containers are hardened by default', () => {
  it('a non-root tool gets no-new-privileges and no capabilities at all', async () => {
    expect(await privileges(nonRoot)).toEqual({ NoNewPrivs: '1', CapEff: none, CapBnd: none });
  });

  it("a root tool keeps the daemon's default capabilities, still without new privileges", async () => {
    const root = await privileges({ user: '0:0' });
    expect(root.NoNewPrivs).toBe('1');
    expect(root.CapBnd).not.toBe(none);
  });

  it('each default can be overridden', async () => {
    expect((await privileges({ ...nonRoot, noNewPrivileges: false })).NoNewPrivs).toBe('0');
    expect((await privileges({ ...nonRoot, capabilities: 'default' })).CapBnd).not.toBe(none);
    // Exactly CAP_CHOWN (bit 0), for root too.
    expect((await privileges({ user: '0:0', capabilities: ['CHOWN'] })).CapBnd).toBe('0000000000000001');
  });

  it('a fork bomb stops at pidsLimit; the limit is 4096 by default and null lifts it', async () => {
    const bounded = await forkedBeforeRefused({ pidsLimit: 50 });
    expect(bounded).toBeGreaterThan(10);
    expect(bounded).toBeLessThan(50);
    expect(await forkedBeforeRefused({ pidsLimit: null })).toBe(300);
    // cgroup v1 (this machine) or v2: the container's own pids.max.
    const { stdout } = await runTool(busybox, ['sh', '-c', 'cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max']);
    expect(String(stdout).trim()).toBe('4096');
  });
});
