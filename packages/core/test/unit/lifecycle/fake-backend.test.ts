import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FakeBackend, type FakeScript, type FakeStep } from '#test-support/fake-backend.js';
import { tempDir } from '#test-support/temp-dir.js';
import { prepareRun, startRun } from '../../../src/api/run-tool.js';
import type { RunOptions } from '../../../src/api/options.js';
import { isToolError, type ToolError } from '../../../src/errors/tool-error.js';
import { runRecords } from '../../../src/records/run-records.js';

// The lifecycle's stages and the layers around them, driven through the real seam
// (RunSpec.backend) by a backend with no runtime: milliseconds per run, no daemon.
// The engine tests (test/engine/) cover the same paths against the real thing.

/** Pinned by digest: the cache knows its identity without asking any daemon. */
const IMAGE = `busybox@sha256:${'a'.repeat(64)}`;

function run(fake: FakeBackend, options: RunOptions = {}, args = ['tool', 'arg']) {
  const spec = prepareRun(IMAGE, args, [], options);
  return startRun({ ...spec, backend: fake });
}

async function failure(promise: Promise<unknown>): Promise<ToolError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isToolError(error), String(error)).toBe(true);
  return error as ToolError;
}

beforeAll(() => {
  vi.stubEnv('TOOLDOCK_HOME', tempDir('fake-home'));
});
afterAll(() => {
  vi.unstubAllEnvs();
});

describe('the lifecycle through a fake backend', () => {
  it('runs the stages in order and removes what it launched', async () => {
    const fake = new FakeBackend({ stdout: 'hello\n' });
    const result = await run(fake);
    expect(result.stdout).toBe('hello\n');
    expect(result.exitCode).toBe(0);
    // A success needs no exit facts.
    expect(fake.log).toEqual(['prepare', 'launch', 'beforeStart', 'start', 'running', 'collectOutputs', 'remove']);
  });

  it('asks for the exit facts of a failure only, and reports an OOM kill', async () => {
    const fake = new FakeBackend({ exitCode: 137, oomKilled: true });
    const error = await failure(run(fake, { memory: '64m' }));
    expect(error.oomKilled).toBe(true);
    expect(fake.log).toContain('exitFacts');
  });

  // Where the tool is when the caller cancels: nothing launched yet, launched but not started,
  // running, or exited with outputs still to collect.
  const stages: Array<{ stage: FakeStep; launched: boolean; started: boolean; script?: FakeScript }> = [
    { stage: 'prepare', launched: false, started: false },
    { stage: 'launch', launched: false, started: false },
    { stage: 'beforeStart', launched: true, started: false },
    { stage: 'start', launched: true, started: false },
    { stage: 'running', launched: true, started: true },
    { stage: 'exitFacts', launched: true, started: true, script: { exitCode: 3 } },
    { stage: 'collectOutputs', launched: true, started: true },
  ];
  for (const { stage, launched, started, script } of stages) {
    it(`a cancel during ${stage} settles the run as canceled${launched ? ' and removes the tool' : ''}`, async () => {
      const fake = new FakeBackend({ ...script, hang: [stage] });
      const tool = run(fake);
      await fake.reached(stage);
      tool.cancel();
      const error = await failure(tool);
      expect(error.canceled).toBe(true);
      expect(error.timedOut).toBe(false);
      expect(error.killed).toBe(started);
      expect(fake.log.includes('remove')).toBe(launched);
      // A tool that may still run is killed; one that has not started or has exited is not.
      expect(fake.log.includes('kill')).toBe(stage === 'running');
    });
  }

  it('a timeout during prepare (a pull that never ends) settles the run as timed out, with nothing launched', async () => {
    const fake = new FakeBackend({ hang: ['prepare'] });
    const error = await failure(run(fake, { timeoutMs: 30 }));
    expect(error.timedOut).toBe(true);
    expect(error.killed).toBe(false);
    expect(error.shortMessage).toMatch(/timed out|timeoutMs|30 ms/i);
    expect(fake.log).toEqual(['prepare']);
  });

  it('a kill that fails still settles the run (once the tool is gone) and removes it', async () => {
    const fake = new FakeBackend({ hang: ['running'], killFails: true, exitAfterFailedKillMs: 20 });
    const error = await failure(run(fake, { timeoutMs: 30 }));
    expect(error.timedOut).toBe(true);
    expect(error.killed).toBe(true);
    expect(fake.log).toContain('kill');
    expect(fake.log.at(-1)).toBe('remove');
  });

  it("a removal the runtime cannot do now (the daemon vanished) is owed: the run still succeeds, with a warning in the backend's words", async () => {
    const warnings: string[] = [];
    const spy = vi.spyOn(process, 'emitWarning').mockImplementation((warning: string | Error) => void warnings.push(String(warning)));
    try {
      const fake = new FakeBackend({ stdout: 'done', removeFails: new Error('connect ENOENT /var/run/docker.sock') });
      const result = await run(fake);
      expect(result.stdout).toBe('done');
      expect(warnings.join('\n')).toMatch(/could not remove container fake-\w+ yet \(retried later\): fake says: connect ENOENT/);
    } finally {
      spy.mockRestore();
    }
  });

  it("a failing step becomes the run's ToolError, explained by the backend", async () => {
    const fake = new FakeBackend({ fail: { launch: new Error('no space left') } });
    const error = await failure(run(fake));
    expect(error.shortMessage).toMatch(/^Could not create a container for tool: fake says: no space left/);
    expect(fake.log).toEqual(['prepare', 'launch']);
  });
});

describe('the layers through a fake backend: retry → record → cache', () => {
  it('records every attempt of a retried call, caches its success, and serves the next call from the cache with its own record', async () => {
    const cacheDir = tempDir('fake-cache');
    const before = runRecords().length;
    const fake = new FakeBackend({ exitCode: 75, then: { stdout: 'second time lucky\n' } });
    const options: RunOptions = { retry: { attempts: 2, when: [75], backoffMs: 0 }, cache: cacheDir };
    const first = await run(fake, options);
    expect(first.attempts).toBe(2);
    expect(first.cached).toBe(false);
    expect(fake.log.filter((s) => s === 'prepare')).toHaveLength(2);

    // Retry is outermost: each attempt went through the record layer, the failure included.
    const afterFirst = runRecords().slice(before);
    expect(afterFirst.map((r) => [r.attempt, r.exitCode, r.cached])).toEqual([
      [1, 75, false],
      [2, 0, false],
    ]);

    const again = await run(fake, options);
    expect(again.cached).toBe(true);
    expect(again.stdout).toBe('second time lucky\n');
    // Cache is innermost: no container, but the call still has its record.
    expect(fake.log.filter((s) => s === 'prepare')).toHaveLength(2);
    const last = runRecords().slice(before + 2);
    expect(last.map((r) => [r.attempt, r.cached])).toEqual([[1, true]]);
  });
});
