import { describe, expect, it } from 'vitest';
import { ToolError, type ToolErrorDetails } from '@tooldock/core';
import { CommandNotRunnableError } from '../../../src/backends/tool-backend.js';
import { EngineUnreachableError } from '../../../src/backends/docker/engine/engine-unreachable-error.js';
import { isDaemonHiccup, retryReason } from '../../../src/retry/retry-reason.js';

const base: ToolErrorDetails = { image: 'img', args: ['tool'], command: 'tool' };
const error = (details: Partial<ToolErrorDetails>) => new ToolError('failed: tool', { ...base, ...details });
const exited = (exitCode: number, extra: Partial<ToolErrorDetails> = {}) => error({ exitCode, startedAt: new Date(), failed: true, ...extra });
/** A Node socket error as the http client reports it. */
const socketError = (code: string, syscall = 'connect') => Object.assign(new Error(`${syscall} ${code}`), { code, syscall });
/** A daemon answer as dockerode reports it. */
const daemonAnswer = (statusCode: number, message: string) =>
  Object.assign(new Error(`(HTTP code ${statusCode}) server error - ${message}`), { statusCode, json: { message } });

describe('which failures are retried', () => {
  it('oom: a reported OOM kill, or SIGKILL under a memory limit that we did not cause', () => {
    expect(retryReason(exited(137, { oomKilled: true, signal: 'SIGKILL' }), ['oom'], true)).toBe('oom');
    // The daemon misses some OOM events; under a limit, an unexplained SIGKILL is most likely one.
    expect(retryReason(exited(137, { signal: 'SIGKILL' }), ['oom'], true)).toBe('oom');
    expect(retryReason(exited(137, { signal: 'SIGKILL' }), ['oom'], false)).toBeUndefined();
    expect(retryReason(exited(1), ['oom'], true)).toBeUndefined();
  });

  it('never a canceled or timed-out run, whatever `when` says', () => {
    const always = () => true;
    expect(retryReason(exited(137, { signal: 'SIGKILL', killed: true, timedOut: true }), ['oom', always, 137], true)).toBeUndefined();
    expect(retryReason(error({ canceled: true, cause: socketError('ECONNRESET', 'read') }), ['daemon', always], false)).toBeUndefined();
  });

  it("exit codes: only the tool's own exit, not the runtime failing to start it", () => {
    expect(retryReason(exited(3), [3], false)).toBe('exit-code');
    expect(retryReason(exited(4), [3], false)).toBeUndefined();
    expect(retryReason(error({ exitCode: 3 }), [3], false)).toBeUndefined(); // never started
    expect(retryReason(exited(1), ['oom', 'daemon', 1], true)).toBe('exit-code');
  });

  it('a predicate sees the ToolError; one that throws means no retry (and a warning)', async () => {
    expect(retryReason(exited(2, { stderrTail: 'rate limit hit' }), [(e) => /rate limit/.test(e.stderrTail)], false)).toBe('predicate');
    expect(retryReason(exited(2, { stderrTail: 'bad input' }), [(e) => /rate limit/.test(e.stderrTail)], false)).toBeUndefined();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      expect(
        retryReason(
          exited(2),
          [
            () => {
              throw new Error('oops');
            },
          ],
          false,
        ),
      ).toBeUndefined();
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual(['tooldock: retry.when predicate threw (not retrying): Error: oops']);
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('daemon hiccups', () => {
  const unreachable = (code: string) => new EngineUnreachableError('unix:///x.sock', code, 'start it', { cause: socketError(code) });

  it('unreachable (refused, socket missing while it restarts), reset, or a 5xx about itself', () => {
    expect(isDaemonHiccup(error({ cause: unreachable('ECONNREFUSED') }))).toBe(true);
    expect(isDaemonHiccup(error({ cause: unreachable('ENOENT') }))).toBe(true);
    expect(isDaemonHiccup(error({ cause: socketError('ECONNRESET', 'read'), startedAt: new Date() }))).toBe(true);
    expect(isDaemonHiccup(error({ cause: daemonAnswer(500, 'containerd: connection error: desc = "transport is closing"') }))).toBe(true);
    expect(isDaemonHiccup(error({ cause: daemonAnswer(503, 'service unavailable') }))).toBe(true);
  });

  it('not a permission problem, a 4xx, a 5xx about the request, a missing command, a local file, or a tool failure', () => {
    expect(isDaemonHiccup(error({ cause: unreachable('EACCES') }))).toBe(false);
    expect(isDaemonHiccup(error({ cause: daemonAnswer(404, 'No such image: x') }))).toBe(false);
    expect(isDaemonHiccup(error({ cause: daemonAnswer(400, 'invalid mount config') }))).toBe(false);
    expect(isDaemonHiccup(error({ cause: daemonAnswer(500, 'unauthorized: authentication required') }))).toBe(false);
    expect(isDaemonHiccup(error({ cause: daemonAnswer(500, 'pull access denied for x') }))).toBe(false);
    expect(
      isDaemonHiccup(error({ exitCode: 127, cause: new CommandNotRunnableError(127, 'not found', 'exec: "nope": executable file not found') })),
    ).toBe(false);
    expect(isDaemonHiccup(error({ cause: socketError('ENOENT', 'open') }))).toBe(false); // an output file's directory vanished
    expect(isDaemonHiccup(exited(1, { cause: socketError('ECONNRESET', 'read') }))).toBe(false);
  });

  it('follows the cause chain, and survives a cycle in it', () => {
    const a: { cause?: unknown } & Error = new Error('a');
    const b = Object.assign(new Error('b'), { cause: a });
    a.cause = b;
    expect(isDaemonHiccup(error({ cause: a }))).toBe(false);
    expect(isDaemonHiccup(error({ cause: new Error('wrapped', { cause: new Error('deeper', { cause: socketError('ECONNRESET', 'read') }) }) }))).toBe(
      true,
    );
  });
});
