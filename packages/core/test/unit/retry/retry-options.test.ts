import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runMany, runTool, ToolError } from '@tooldock/core';
import { bwa, samtools } from '@tooldock/recipes';
import { tempDir } from '#test-support/temp-dir.js';
import { thrown } from '#test-support/invalid-input.js';
import { afterAttempts, endedWhileWaiting, retriedError } from '../../../src/retry/retried-outcome.js';

// Validation happens before any daemon is contacted: these need no engine.
const image = 'tooldock-test/busybox:never-pulled';

describe('the retry option is validated: one InvalidInputError naming the value', () => {
  const cases: Array<[unknown, string, RegExp]> = [
    [{ attempts: 0 }, 'options.retry.attempts', /at least 1/],
    [{ attempts: 101 }, 'options.retry.attempts', /at most 100/],
    [{ attempts: 2.5 }, 'options.retry.attempts', /whole number/],
    [{}, 'options.retry.attempts', /from 1 to 100/],
    [3, 'options.retry', /\{ attempts, when\?, backoffMs\?, memory\? \}/],
    [{ attempts: 2, when: 'sometimes' }, 'options.retry.when', /"oom", "daemon", an exit code/],
    [{ attempts: 2, when: 127 }, 'options.retry.when', /could not be run/],
    [{ attempts: 2, when: ['oom', 300] }, 'options.retry.when[1]', /1–255/],
    [{ attempts: 2, when: [] }, 'options.retry.when', /at least one/],
    [{ attempts: 2, backoffMs: -1 }, 'options.retry.backoffMs', /0 or more/],
    [{ attempts: 2, backoffMs: 7_200_000 }, 'options.retry.backoffMs', /at most 3600000/],
    [{ attempts: 2, backoffMs: { initial: 10, fudge: 1 } }, 'options.retry.backoffMs.fudge', /not a known option/],
    [{ attempts: 2, backoffMs: { initial: 10, factor: 0.5 } }, 'options.retry.backoffMs.factor', /at least 1/],
    [{ attempts: 2, memory: ['lots'] }, 'options.retry.memory[0]', /"512m"/],
    [{ attempts: 2, memory: ['1m'] }, 'options.retry.memory[0]', /at least 6 MiB/],
    [{ attempts: 2, memory: [] }, 'options.retry.memory', /at least one memory limit/],
    [{ attempts: 2, tries: 3 }, 'options.retry.tries', /not a known option/],
  ];
  it.each(cases)('%j → %s', (retry, field, expected) => {
    const error = thrown(() => runTool(image, ['true'], [], { retry: retry as never }));
    expect(error.field).toBe(field);
    expect(error.message).toMatch(expected);
  });

  it('accepts the documented forms (and a run canceled before it starts is not retried)', async () => {
    for (const retry of [
      { attempts: 1 },
      { attempts: 3, when: 'oom' as const },
      { attempts: 3, when: ['oom' as const, 'daemon' as const, 1, 75] },
      { attempts: 2, when: () => true, backoffMs: 0 },
      { attempts: 5, backoffMs: { initial: 100, factor: 3, max: 2000 } },
      { attempts: 3, memory: ['4g', '8g', 16 * 1024 ** 3] },
    ]) {
      // Canceled before it starts: nothing reaches a daemon.
      await expect(runTool(image, ['true'], [], { retry, signal: AbortSignal.abort() })).rejects.toMatchObject({ canceled: true, attempts: 1 });
    }
  });

  it('runMany tasks and recipes check it under their own field name', async () => {
    expect(thrown(() => runMany([{ image, args: ['true'], options: { retry: { attempts: 0 } } }])).field).toBe('tasks[0].options.retry.attempts');
    // A recipe call is async: its InvalidInputError is the rejection.
    await expect(samtools.flagstat({ input: '/etc/hostname', run: { retry: { attempts: 2, when: 126 } } })).rejects.toMatchObject({
      name: 'InvalidInputError',
      field: 'samtools.flagstat.run.retry.when',
    });
  });
});

describe('input a retry cannot replay', () => {
  it("a stream as stdin (e.g. another run's stdout) cannot be combined with retries", () => {
    const error = thrown(() => runTool(image, ['cat'], [], { stdin: Readable.from(['x']), retry: { attempts: 2 } }));
    expect(error.field).toBe('options.retry');
    expect(error.message).toMatch(/cannot replay it/);
    for (const stdin of ['text', Buffer.from('bytes'), { file: '/etc/hostname' }]) {
      expect(() => runTool(image, ['cat'], [], { stdin, retry: { attempts: 2 }, signal: AbortSignal.abort() }).catch(() => {})).not.toThrow();
    }
    expect(() =>
      runTool(image, ['cat'], [], { stdin: Readable.from(['x']), retry: { attempts: 1 }, signal: AbortSignal.abort() }).catch(() => {}),
    ).not.toThrow();
  });

  it('bwa.mem into a .bam (a pipe into samtools sort) refuses a retry rather than feed sort every attempt', async () => {
    const dir = tempDir('retry-bwa');
    for (const ext of ['amb', 'ann', 'bwt', 'pac', 'sa']) writeFileSync(join(dir, `ref.fa.${ext}`), '');
    writeFileSync(join(dir, 'r1.fq'), '');
    const call = (output: string) =>
      bwa.mem({
        index: join(dir, 'ref.fa'),
        reads1: join(dir, 'r1.fq'),
        output: join(dir, output),
        run: { retry: { attempts: 2 }, signal: AbortSignal.abort() },
      });
    await expect(call('out.bam')).rejects.toMatchObject({ name: 'InvalidInputError', field: 'bwa.mem.run.retry' });
    await expect(call('out.sam')).rejects.toMatchObject({ name: 'ToolError', canceled: true }); // accepted; canceled before it starts
  });
});

describe('how a retried run reports its end', () => {
  const last = new ToolError('Command failed with exit code 3: sh', {
    image,
    args: ['sh'],
    command: 'sh',
    exitCode: 3,
    stderrTail: 'boom',
    notes: ['n'],
  });

  it('says "after N attempts" before the tool name, and carries attempts and every other field', () => {
    expect(afterAttempts('Command failed with exit code 3: sh', 3, 'sh')).toBe('Command failed with exit code 3 after 3 attempts: sh');
    expect(afterAttempts('Something else', 2, 'sh')).toBe('Something else (after 2 attempts)');
    expect(afterAttempts('Command failed with exit code 3: sh', 1, 'sh')).toBe('Command failed with exit code 3: sh');
    const error = retriedError(last, 3, 'sh', {});
    expect(error.shortMessage).toBe('Command failed with exit code 3 after 3 attempts: sh');
    expect(error.message).toContain('boom');
    expect([error.attempts, error.exitCode, error.notes, error.image]).toEqual([3, 3, ['n'], image]);
  });

  it("names the caller's timeout, not what was left of it for the last attempt", () => {
    const timedOut = new ToolError('Command timed out after 1234 ms and was killed: sh', {
      image,
      args: ['sh'],
      command: 'sh',
      timedOut: true,
      killed: true,
    });
    expect(retriedError(timedOut, 2, 'sh', { caller: 5000, attempt: 1234 }).shortMessage).toBe(
      'Command timed out after 5000 ms and was killed after 2 attempts: sh',
    );
  });

  it('a cancel or the deadline during the wait ends the run with that flag and the last failure as cause', () => {
    const canceled = endedWhileWaiting(last, 2, 'sh', 'canceled', undefined);
    expect([canceled.canceled, canceled.timedOut, canceled.attempts, canceled.cause]).toEqual([true, false, 2, last]);
    expect(canceled.shortMessage).toBe('Command was canceled while waiting to retry after 2 attempts: sh');
    const late = endedWhileWaiting(last, 1, 'sh', 'timeout', 800);
    expect([late.timedOut, late.canceled, late.attempts]).toEqual([true, false, 1]);
    expect(late.shortMessage).toBe('Command timed out after 800 ms while waiting to retry: sh');
  });
});
