import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, isToolError, toolSession, type ToolSession } from '@tooldock/core';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();
const opened: ToolSession[] = [];

async function open(...args: Parameters<typeof toolSession>): Promise<ToolSession> {
  const session = await toolSession(...args);
  opened.push(session);
  return session;
}

/** The commands running in the session's container, as the daemon sees them (`docker top`). */
async function processesIn(containerId: string): Promise<string[]> {
  const top = await connect().docker.getContainer(containerId).top({ ps_args: '-o pid,args' });
  return top.Processes.map((p: string[]) => p[1]!);
}

async function exists(containerId: string): Promise<boolean> {
  return connect()
    .docker.getContainer(containerId)
    .inspect()
    .then(
      () => true,
      () => false,
    );
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

describe('toolSession', () => {
  it('runs calls in one container, with stdout, stderr, exit codes, env, cwd and stdin', async () => {
    const dir = tempDir('session');
    writeFileSync(join(dir, 'in.txt'), 'hello\n');
    const s = await open(busybox, [dir], { env: { A: 'session' } });
    const first = await s.run(['sh', '-c', 'cat $0; echo err >&2; echo $A-$B; pwd; id -u', `${dir}/in.txt`], { env: { B: 'call' }, cwd: dir });
    expect(first.stdout).toBe(`hello\nsession-call\n${dir}\n${process.getuid!()}\n`);
    expect(first.stderr).toBe('err\n');
    expect(first.exitCode).toBe(0);
    const failed = await s.run(['sh', '-c', 'echo oops >&2; exit 3'], { reject: false });
    expect(failed.exitCode).toBe(3);
    const error = await s.run(['sh', '-c', 'echo bad input >&2; exit 5']).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isToolError(error)).toBe(true);
    expect(isToolError(error) && error.exitCode).toBe(5);
    expect(isToolError(error) && error.stderrTail).toContain('bad input');
    const data = randomBytes(2 * 1024 * 1024);
    const echoed = await s.run(['cat'], { stdin: data, encoding: 'buffer' });
    expect(Buffer.compare(echoed.stdout as Buffer, data)).toBe(0);
    const lines = [];
    for await (const line of s.run(['sh', '-c', 'echo a; echo b >&2; echo c']).lines()) lines.push(line);
    expect(lines.filter((l) => l.stream === 'stdout').map((l) => l.line)).toEqual(['a', 'c']);
    expect(lines.filter((l) => l.stream === 'stderr').map((l) => l.line)).toEqual(['b']);
    // All in the same container.
    const ids = await Promise.all([s.run(['true']).containerId, s.run(['true']).containerId]);
    expect(ids[0]).not.toBe(ids[1]); // one exec per call
    expect((await processesIn(s.containerId)).some((p) => p.includes('sleep 86400'))).toBe(true);
  });

  it('rejects bad options before any container exists: per-call container settings, bad idle timeout', async () => {
    await expect(toolSession(busybox, [], { idleTimeoutMs: -1 })).rejects.toThrow(/idleTimeoutMs/);
    const s = await open(busybox);
    expect(() => s.run(['true'], { user: '0:0' } as never)).toThrow(/user/);
    expect(() => s.run(['true'], { memory: '1g' } as never)).toThrow(/memory/);
    expect((await s.run(['true'], { timeoutMs: 5_000 })).exitCode).toBe(0);
  });

  it('a missing command fails with 127, like runTool', async () => {
    const s = await open(busybox);
    const error = await s.run(['no-such-tool']).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isToolError(error) && error.exitCode).toBe(127);
  });

  it('canceling a call kills its whole process tree and the session stays usable', async () => {
    const s = await open(busybox);
    const run = s.run(['sh', '-c', 'sleep 300 & sleep 300 & wait']);
    await run.containerId;
    // Wait until both children exist.
    for (let i = 0; i < 100 && (await processesIn(s.containerId)).filter((p) => p === 'sleep 300').length < 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await processesIn(s.containerId)).filter((p) => p === 'sleep 300')).toHaveLength(2);
    run.cancel();
    const error = await Promise.resolve(run).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isToolError(error) && error.canceled).toBe(true);
    const left = await processesIn(s.containerId);
    expect(left.filter((p) => p === 'sleep 300')).toEqual([]);
    expect(left.filter((p) => p.includes('sh -c f=/.tooldock-calls'))).toEqual([]);
    expect((await s.run(['echo', 'still here'])).stdout).toBe('still here\n');
  });

  it('a call canceled as soon as it exists, or while starting, leaves no process either', async () => {
    const s = await open(busybox);
    for (const delayMs of [0, 1, 3, 6, 12, 25]) {
      const run = s.run(['sh', '-c', 'sleep 300 & sleep 300 & wait']);
      await run.containerId;
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      run.cancel();
      await Promise.resolve(run).catch(() => {});
      await new Promise((r) => setTimeout(r, 300)); // a call that started late would show by now
      expect((await processesIn(s.containerId)).filter((p) => p === 'sleep 300')).toEqual([]);
    }
    expect((await s.run(['echo', 'ok'])).stdout).toBe('ok\n');
  });

  it('concurrent calls run side by side; canceling one leaves the others running', async () => {
    const s = await open(busybox);
    const survivor = s.run(['sh', '-c', 'sleep 1; echo survived']);
    const victim = s.run(['sh', '-c', 'sleep 300 & wait']);
    const many = Array.from({ length: 6 }, (_, i) => s.run(['echo', String(i)]));
    await victim.containerId;
    for (let i = 0; i < 100 && !(await processesIn(s.containerId)).includes('sleep 300'); i++) await new Promise((r) => setTimeout(r, 50));
    victim.cancel();
    await Promise.resolve(victim).catch(() => {});
    expect((await survivor).stdout).toBe('survived\n');
    expect((await Promise.all(many)).map((r) => r.stdout)).toEqual(['0\n', '1\n', '2\n', '3\n', '4\n', '5\n']);
    expect(await processesIn(s.containerId)).not.toContain('sleep 300');
  });

  it('a timed-out call is killed with its children; the next call works', async () => {
    const s = await open(busybox);
    const started = Date.now();
    const error = await s.run(['sh', '-c', 'sh -c "sleep 300" & sleep 300'], { timeoutMs: 500 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isToolError(error) && error.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await processesIn(s.containerId)).filter((p) => p === 'sleep 300')).toEqual([]);
    expect((await s.run(['echo', 'ok'])).stdout).toBe('ok\n');
  });

  it('a session whose container died says so on the next call, and on a running one, instead of hanging', async () => {
    const s = await open(busybox);
    const running = s.run(['sleep', '300']);
    await running.containerId;
    await connect().docker.getContainer(s.containerId).kill();
    const during = await Promise.resolve(running).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isToolError(during)).toBe(true);
    expect((during as Error).message).toMatch(/session's container .* (was killed|is not running)/);
    const next = await s.run(['true']).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isToolError(next)).toBe(true);
    expect((next as Error).message).toMatch(/session's container/);
  });

  it('close() and await using remove the container; calls after close fail clearly', async () => {
    let id = '';
    {
      await using s = await toolSession(busybox);
      id = s.containerId;
      expect((await s.run(['echo', 'x'])).stdout).toBe('x\n');
    }
    expect(await exists(id)).toBe(false);
    const s = await toolSession(busybox);
    await s.close();
    expect(await exists(s.containerId)).toBe(false);
    const error = await s.run(['true']).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(/session was closed/);
  });

  it('closes itself after idleTimeoutMs without a call', async () => {
    const s = await open(busybox, [], { idleTimeoutMs: 300 });
    await s.run(['true']);
    expect(await exists(s.containerId)).toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await exists(s.containerId)).toBe(false);
    expect(s.closedReason).toMatch(/idleTimeoutMs/);
  });

  it('labels the container for the reaper and writes outputs as the caller', async () => {
    const dir = tempDir('session-out');
    const s = await open(busybox, [`${dir}:rw`]);
    const info = await connect().docker.getContainer(s.containerId).inspect();
    expect(info.Config.Labels['tooldock.session']).toBeDefined();
    expect(info.HostConfig.NetworkMode).toBe('none');
    expect(info.HostConfig.SecurityOpt).toContain('no-new-privileges');
    await s.run(['sh', '-c', `echo out > ${dir}/o.txt`]);
    expect(readFileSync(join(dir, 'o.txt'), 'utf8')).toBe('out\n');
  });
});
