import { execFileSync, spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cleanupOrphans, isToolError, runTool } from '@tooldock/core';
import { session } from '@tooldock/core/docker';
import { repoRoot } from '#test-support/built-packages.js';
import { activeJobs, sessionContainers, testCluster } from '#test-support/slurm-engine.js';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();
const cluster = testCluster();
const fixture = fileURLToPath(new URL('./fixtures/cluster-fan-out.ts', import.meta.url));

/** Resolves with how long it took until no job and no container of `sessionId` is left. */
async function nothingLeft(sessionId: string, withinMs = 30_000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < withinMs) {
    if (activeJobs(`tooldock-${sessionId}`).length === 0 && sessionContainers(sessionId).length === 0) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `jobs ${activeJobs(`tooldock-${sessionId}`).join(', ')} / containers ${sessionContainers(sessionId).join(', ')} of ${sessionId} still there after ${withinMs} ms`,
  );
}

/** Waits until the run's container is up on its node (so the trap, not the queue, is tested). */
async function containerRunning(): Promise<void> {
  for (let i = 0; i < 200 && sessionContainers(session.id).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  expect(sessionContainers(session.id).length).toBe(1);
}

describe('no orphans on the cluster', () => {
  it('cancel ends the job and removes its container', async () => {
    const run = runTool(busybox, ['sleep', '300'], [], { engine: cluster });
    await containerRunning();
    run.cancel();
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isToolError(error) && error.canceled).toBe(true);
    expect(await nothingLeft(session.id)).toBeLessThan(30_000);
  });

  it('a timeout ends the job and removes its container', async () => {
    const error = await runTool(busybox, ['sleep', '300'], [], { engine: cluster, timeoutMs: 4_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isToolError(error) && error.timedOut).toBe(true);
    expect(await nothingLeft(session.id)).toBeLessThan(30_000);
  });

  // Steps: one allocation holding 4 steps; arrays: 4 jobs. Either way nothing may be left.
  for (const [signal, fanOut, jobs] of [
    ['SIGKILL', 'steps', 1],
    ['SIGTERM', 'arrays', 4],
  ] as const) {
    it(`${signal} of the submitting process (fan-out as ${fanOut}): its jobs and containers are gone within 30 s`, async () => {
      // node itself (tsx's CLI would put a second process between the kill and the program).
      const child = spawn(process.execPath, ['--import', 'tsx', fixture, busybox, tempDir('slurm-killed'), fanOut], {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'inherit'],
        env: process.env,
      });
      let childSession = '';
      for await (const line of createInterface({ input: child.stdout! })) {
        if (line.startsWith('SESSION ')) childSession = line.slice('SESSION '.length);
        if (line === 'RUNNING') break;
      }
      expect(activeJobs(`tooldock-${childSession}`)).toHaveLength(jobs);
      for (let i = 0; i < 100 && sessionContainers(childSession).length < 4; i++) await new Promise((r) => setTimeout(r, 100));
      expect(sessionContainers(childSession)).toHaveLength(4);
      const exited = new Promise((resolve) => child.on('exit', (_code, s) => resolve(s)));
      child.kill(signal);
      expect(await exited).toBe(signal);
      expect(await nothingLeft(childSession)).toBeLessThan(30_000);
    });
  }

  it('a script that holds an allocation and never releases it still ends; its watchdog gives the allocation back', async () => {
    const script = fileURLToPath(new URL('./fixtures/held-not-released.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, busybox, tempDir('slurm-held-exit')], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: process.env,
    });
    const lines: string[] = [];
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => lines.push(...chunk.split('\n').filter(Boolean)));
    // A hang is the failure this looks for: bounded, so that it fails instead of hanging the suite.
    const exit = await new Promise<number | null | 'hung'>((resolve) => {
      const hung = setTimeout(() => (child.kill('SIGKILL'), resolve('hung')), 90_000);
      child.on('exit', (code) => (clearTimeout(hung), resolve(code)));
    });
    expect(lines).toContain('OUT in the held slot');
    expect(exit).toBe(0);
    const childSession = lines.find((l) => l.startsWith('SESSION '))!.slice('SESSION '.length);
    expect(await nothingLeft(childSession)).toBeLessThan(30_000);
  }, 180_000);

  it('cleanupOrphans cancels the jobs of dead sessions on this host, and only those', async () => {
    const submit = (sessionId: string, pid: number) =>
      execFileSync(
        'sbatch',
        [
          '--parsable',
          `--job-name=tooldock-${sessionId}`,
          `--comment=tooldock session=${sessionId} pid=${pid} host=${hostname()}`,
          '--output=/dev/null',
          '--wrap=sleep 300',
        ],
        { encoding: 'utf8' },
      ).trim();
    const dead = submit('deadbeefdeadbeef', 999_999);
    const live = submit('0123456789abcdef', process.pid);
    try {
      const report = await cleanupOrphans({ engine: cluster });
      expect(report.removed).toEqual([{ id: dead, session: 'deadbeefdeadbeef', reason: 'process 999999 on this host is gone' }]);
      expect(report.kept).toContain('0123456789abcdef');
    } finally {
      execFileSync('scancel', [dead, live]);
    }
    for (let i = 0; i < 40 && activeJobs('tooldock-0123456789abcdef').length; i++) await new Promise((r) => setTimeout(r, 250));
    expect(activeJobs('tooldock-deadbeefdeadbeef')).toEqual([]);
  });
});
