import { describe, expect, it } from 'vitest';
import { abortMessage, buildError, buildResult, classifyExit, failureMessage, notRunnableMessage } from '../../../src/lifecycle/outcome.js';
import { isToolError } from '@tooldock/core';

describe('classifyExit', () => {
  it('calls exit 0 a success and anything else a failure', () => {
    expect(classifyExit(0, undefined, false)).toEqual({
      exitCode: 0,
      failed: false,
      oomKilled: false,
      killed: false,
      timedOut: false,
      canceled: false,
      signal: undefined,
    });
    expect(classifyExit(3, undefined, false)).toMatchObject({ failed: true, killed: false, signal: undefined });
  });

  it('derives the signal from codes above 128; 137 is a kill but OOM only when the daemon says so', () => {
    expect(classifyExit(137, undefined, false)).toMatchObject({ failed: true, killed: true, oomKilled: false, signal: 'SIGKILL' });
    expect(classifyExit(137, undefined, true)).toMatchObject({ oomKilled: true, killed: true });
    expect(classifyExit(143, undefined, false)).toMatchObject({ killed: false, signal: 'SIGTERM' });
  });

  it('a run we ended is failed and killed even when the tool exited 0 meanwhile', () => {
    expect(classifyExit(0, 'timeout', false)).toMatchObject({ failed: true, killed: true, timedOut: true, canceled: false });
    expect(classifyExit(137, 'cancel', false)).toMatchObject({ failed: true, killed: true, timedOut: false, canceled: true });
  });
});

describe('messages', () => {
  const limits = { timeoutMs: 5000, memory: '32m' };
  it('name what happened and the tool, most specific first', () => {
    expect(failureMessage('sleep', classifyExit(137, 'timeout', false), limits)).toBe('Command timed out after 5000 ms and was killed: sleep');
    expect(failureMessage('sleep', classifyExit(137, 'cancel', false), limits)).toBe('Command was canceled: sleep');
    expect(failureMessage('dd', classifyExit(137, undefined, true), limits)).toBe(
      'Command ran out of memory (memory limit 32 MiB) and was killed (exit code 137): dd',
    );
    expect(failureMessage('dd', classifyExit(137, undefined, false), limits)).toMatch(
      /^Command was killed with SIGKILL \(exit code 137\), probably by the OOM killer \(memory limit 32 MiB\)/,
    );
    expect(failureMessage('dd', classifyExit(137, undefined, false), {})).toBe('Command was killed with SIGKILL (exit code 137): dd');
    expect(failureMessage('sh', classifyExit(3, undefined, false), {})).toBe('Command failed with exit code 3: sh');
  });

  it('say when a run ended before its tool started, and during what', () => {
    expect(abortMessage('bwa', 'timeout', false, 'pulling x', limits)).toBe(
      'Command timed out after 5000 ms before it started (while pulling x): bwa',
    );
    expect(abortMessage('bwa', 'cancel', false, 'creating the container', limits)).toBe(
      'Command was canceled before it started (while creating the container): bwa',
    );
    expect(abortMessage('bwa', 'cancel', true, 'running', limits)).toBe('Command was canceled: bwa');
    expect(notRunnableMessage('nope', 127)).toBe('Command not found in the image (exit code 127): nope');
    expect(notRunnableMessage('/etc/passwd', 126)).toBe('Command is not executable (exit code 126): /etc/passwd');
  });
});

describe('result and error builders', () => {
  const facts = {
    image: 'img',
    args: ['sh', '-c', 'x'],
    command: 'sh -c x',
    user: '1000:1000',
    mounts: [],
    stdout: 'out',
    stderr: 'err',
    notes: ['n'],
  };
  it('build a result from facts and outcome', () => {
    const startedAt = new Date(1000);
    const finishedAt = new Date(1500);
    const result = buildResult(facts, classifyExit(0, undefined, false), {
      imageId: 'sha256:1',
      containerId: 'c',
      startedAt,
      finishedAt,
      durationMs: 500,
    });
    expect(result).toMatchObject({
      image: 'img',
      imageId: 'sha256:1',
      containerId: 'c',
      exitCode: 0,
      failed: false,
      stdout: 'out',
      durationMs: 500,
      user: '1000:1000',
      notes: ['n'],
    });
  });

  it('build a ToolError carrying what was known', () => {
    const error = buildError('Command failed with exit code 2: sh', { ...facts, stderrTail: 'boom' }, { exitCode: 2 });
    expect(isToolError(error)).toBe(true);
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe('Command failed with exit code 2: sh\n  image:   img\n  command: sh -c x\n  stderr (last lines):\n    boom');
  });
});
