import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTool, type ToolEvent } from '@tooldock/core';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';
import { rejection } from '#test-support/tool-rejection.js';
import { oomAfterStart } from '#test-support/oom-tool.js';

const { busybox } = testImages();

/** Collects a run's events; `retries()` are the retry announcements. */
function eventLog() {
  const events: ToolEvent[] = [];
  return {
    onEvent: (event: ToolEvent) => events.push(event),
    retries: () => events.filter((e): e is Extract<ToolEvent, { type: 'retry' }> => e.type === 'retry'),
    created: () => events.filter((e) => e.type === 'container:created').length,
  };
}

/** Counts its runs in `/state/n`, prints `out<n>` (stdout) and `err<n>` (stderr), fails with 3 until run `succeedAt`. */
function flaky(succeedAt: number): string[] {
  return [
    'sh',
    '-c',
    `n=$(( $(cat /state/n 2>/dev/null || echo 0) + 1 )); echo $n > /state/n; echo out$n; echo err$n >&2; [ $n -ge ${succeedAt} ] || exit 3`,
  ];
}

describe('retry', () => {
  it('an OOM-killed tool succeeds on its 2nd attempt with the next memory limit, and the result says so', async () => {
    const log = eventLog();
    // busybox dd allocates its 150 MiB block for real: over 64m it is OOM-killed, under 256m it fits.
    const run = runTool(
      busybox,
      [
        'sh',
        '-c',
        'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max; dd if=/dev/zero of=/dev/null bs=150M count=1',
      ],
      [],
      {
        retry: { attempts: 3, memory: ['64m', '256m'], backoffMs: 0 },
        onEvent: log.onEvent,
      },
    );
    let live = '';
    run.stdout.on('data', (chunk: Buffer) => (live += chunk.toString()));
    const result = await run;
    expect(result.attempts).toBe(2);
    expect(result.exitCode).toBe(0);
    // Captured output is the successful attempt's alone; the live stream carried both.
    expect(result.stdout).toBe(`${256 * 1024 * 1024}\n`);
    expect(live).toBe(`${64 * 1024 * 1024}\n${256 * 1024 * 1024}\n`);
    const [retry, ...more] = log.retries();
    expect(more).toEqual([]);
    expect(retry).toMatchObject({ attempt: 2, of: 3, reason: 'oom', delayMs: 0, memory: '256m' });
    // The daemon reports most OOM kills; the rare one it misses still shows as SIGKILL under the limit.
    expect(retry!.error).toMatch(/ran out of memory \(memory limit 64 MiB\)|SIGKILL .* probably by the OOM killer/);
    expect(log.created()).toBe(2);
  });

  it('the 64m attempt really is OOM-killed (the daemon says so)', async () => {
    // Released once started: an OOM kill before containerd watches the cgroup is never reported (oom-tool.ts).
    const tool = oomAfterStart(150);
    const result = await runTool(busybox, tool.args, [], { ...tool.options, memory: '64m', reject: false });
    expect(result).toMatchObject({ oomKilled: true, exitCode: 137, attempts: 1 });
  });

  it('retries chosen exit codes; captured output and { file } sinks hold the final attempt only', async () => {
    const state = tempDir('retry-state');
    const out = join(tempDir('retry-out'), 'out.txt');
    const log = eventLog();
    const run = runTool(busybox, flaky(3), [{ path: state, target: '/state', write: true }], {
      retry: { attempts: 4, when: [3], backoffMs: 0 },
      stdout: { file: out },
      onEvent: log.onEvent,
    });
    const lines: string[] = [];
    for await (const { stream, line } of run.lines()) lines.push(`${stream}:${line}`);
    const result = await run;
    expect(result.attempts).toBe(3);
    expect(readFileSync(out, 'utf8')).toBe('out3\n');
    expect(readdirSync(join(out, '..'))).toEqual(['out.txt']); // the failed attempts' partial files are gone
    expect(result.stderr).toBe('err3\n');
    expect(lines.filter((l) => l.startsWith('stdout:'))).toEqual(['stdout:out1', 'stdout:out2', 'stdout:out3']);
    expect(lines.filter((l) => l.startsWith('stderr:'))).toEqual(['stderr:err1', 'stderr:err2', 'stderr:err3']);
    expect(log.retries().map((r) => [r.attempt, r.reason, r.error])).toEqual([
      [2, 'exit-code', 'Command failed with exit code 3: sh'],
      [3, 'exit-code', 'Command failed with exit code 3: sh'],
    ]);
    // A writable bind mount is not rolled back between attempts (docs/retries.md): the counter kept counting.
    expect(readFileSync(join(state, 'n'), 'utf8')).toBe('3\n');
  });

  it('gives up after the last attempt: the error carries attempts and says so; no { file } output', async () => {
    const out = join(tempDir('retry-out'), 'out.txt');
    const error = await rejection(
      runTool(busybox, ['sh', '-c', 'echo try; echo broken >&2; exit 3'], [], {
        retry: { attempts: 3, when: 3, backoffMs: 0 },
        stdout: { file: out },
      }),
    );
    expect(error.attempts).toBe(3);
    expect(error.shortMessage).toBe('Command failed with exit code 3 after 3 attempts: sh');
    expect(error.stderrTail).toBe('broken');
    expect(error.stderr).toBe('broken\n');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(join(out, '..'))).toEqual([]);
  });

  it('does not retry other exit codes (nor 1 when only OOM and daemon hiccups are retried by default)', async () => {
    const log = eventLog();
    const other = await rejection(
      runTool(busybox, ['sh', '-c', 'exit 4'], [], { retry: { attempts: 3, when: [3], backoffMs: 0 }, onEvent: log.onEvent }),
    );
    expect([other.exitCode, other.attempts, other.shortMessage]).toEqual([4, 1, 'Command failed with exit code 4: sh']);
    const byDefault = await rejection(runTool(busybox, ['sh', '-c', 'exit 1'], [], { retry: { attempts: 3 }, onEvent: log.onEvent }));
    expect([byDefault.exitCode, byDefault.attempts]).toEqual([1, 1]);
    expect(log.retries()).toEqual([]);
    expect(log.created()).toBe(2);
  });

  it("with reject: false, resolves with the last attempt's failed result, counting attempts", async () => {
    const result = await runTool(busybox, ['sh', '-c', 'echo x; exit 3'], [], { retry: { attempts: 2, when: [3], backoffMs: 0 }, reject: false });
    expect(result).toMatchObject({ failed: true, exitCode: 3, attempts: 2, stdout: 'x\n' });
  });

  it('a cancel during the backoff settles at once as canceled, with no further attempt', async () => {
    const log = eventLog();
    const run = runTool(busybox, ['sh', '-c', 'exit 3'], [], {
      retry: { attempts: 5, when: [3], backoffMs: 600_000 },
      onEvent: (event) => {
        log.onEvent(event);
        if (event.type === 'retry') run.cancel();
      },
    });
    const error = await rejection(run); // a 10-minute backoff: the test would time out waiting for it
    expect(error.canceled).toBe(true);
    expect(error.attempts).toBe(1);
    expect(error.shortMessage).toBe('Command was canceled while waiting to retry: sh');
    expect(error.exitCode).toBe(3); // the last attempt's facts stay
    expect(log.created()).toBe(1);
  }, 30_000);

  it('never retries a canceled attempt', async () => {
    const log = eventLog();
    const run = runTool(busybox, ['sleep', '30'], [], {
      retry: { attempts: 3, when: [137, (e) => e.killed] },
      onEvent: (event) => {
        log.onEvent(event);
        if (event.type === 'container:started') run.cancel();
      },
    });
    const error = await rejection(run);
    expect([error.canceled, error.attempts]).toEqual([true, 1]);
    expect(log.retries()).toEqual([]);
  }, 30_000);

  it("the caller's timeoutMs covers every attempt, not each one", async () => {
    const log = eventLog();
    // Attempt 1 (64m) fails at once; after a 5 s backoff, attempt 2 (256m) would sleep for 10 minutes.
    const error = await rejection(
      runTool(
        busybox,
        [
          'sh',
          '-c',
          'lim=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max); [ $lim -gt 100000000 ] && sleep 600; exit 3',
        ],
        [],
        {
          timeoutMs: 12_000,
          retry: { attempts: 5, when: [3], backoffMs: 5000, memory: ['64m', '256m'] },
          onEvent: log.onEvent,
        },
      ),
    );
    expect([error.timedOut, error.attempts]).toEqual([true, 2]);
    expect(error.shortMessage).toMatch(/^Command timed out after 12000 ms .*after 2 attempts: sh$/);
    // Attempt 2 began over 5 s into the call, so the shared deadline left it less than 7 s of the
    // 12 (a per-attempt timeout would have let it run all 12).
    expect(error.durationMs ?? 0).toBeLessThan(7000);
    expect(log.retries()).toHaveLength(1);
  }, 30_000);

  it('a backoff longer than what is left of timeoutMs ends the run at the deadline, timed out', async () => {
    const log = eventLog();
    const error = await rejection(
      runTool(busybox, ['sh', '-c', 'exit 3'], [], {
        timeoutMs: 8000,
        retry: { attempts: 3, when: [3], backoffMs: 600_000 },
        onEvent: log.onEvent,
      }),
    );
    expect([error.timedOut, error.canceled, error.attempts]).toEqual([true, false, 1]);
    expect(error.shortMessage).toBe('Command timed out after 8000 ms while waiting to retry: sh');
    expect(log.created()).toBe(1);
  }, 30_000);
});
