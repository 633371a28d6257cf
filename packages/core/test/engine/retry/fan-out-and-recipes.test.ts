import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { isToolError, runMany, toolSession, type FanOutProgress } from '@tooldock/core';
import { configureRecipes, samtools } from '@tooldock/recipes';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';
import { render } from '../../../src/fan-out/terminal-progress.js';

const { busybox, bio } = testImages();
const flakyUntil = (n: number) => [
  'sh',
  '-c',
  `c=$(( $(cat /state/n 2>/dev/null || echo 0) + 1 )); echo $c > /state/n; echo "attempt $c"; [ $c -ge ${n} ] || exit 3`,
];

describe('retries through runMany and recipes', () => {
  it('runMany: progress shows attempt n/m per task; results and errors carry attempts', async () => {
    const state = tempDir('retry-fanout');
    const seen: FanOutProgress[] = [];
    const frames: string[] = [];
    const outcomes = await runMany(
      [
        {
          image: busybox,
          args: flakyUntil(2),
          mounts: [{ path: state, target: '/state', write: true }],
          options: { retry: { attempts: 3, when: [3], backoffMs: 200 } },
          name: 'flaky',
        },
        { image: busybox, args: ['sh', '-c', 'exit 3'], options: { retry: { attempts: 2, when: [3], backoffMs: 0 } }, name: 'broken' },
        { image: busybox, args: ['true'], name: 'fine' },
      ],
      {
        failFast: false,
        onProgress: (p) => {
          seen.push(structuredClone(p));
          if (p.task.attempt) frames.push(render(p, 8, 200));
        },
      },
    );
    expect(outcomes[0]).toMatchObject({ status: 'fulfilled', value: { attempts: 2, stdout: 'attempt 2\n' } });
    expect(outcomes[1]!.status).toBe('rejected');
    const broken = (outcomes[1] as { reason: unknown }).reason;
    expect(isToolError(broken) && [broken.attempts, broken.shortMessage]).toEqual([2, 'Command failed with exit code 3 after 2 attempts: sh']);
    expect(outcomes[2]).toMatchObject({ status: 'fulfilled', value: { attempts: 1 } });
    const last = seen.at(-1)!;
    expect(last.tasks.map((t) => [t.name, t.state, t.attempt, t.attempts])).toEqual([
      ['flaky', 'done', 2, 3],
      ['broken', 'failed', 2, 2],
      ['fine', 'done', undefined, undefined],
    ]);
    expect(frames.some((f) => f.includes('flaky (attempt 2/3)'))).toBe(true);
  });

  it('failFast with retries: the fan-out stops at the first task that failed its last attempt', async () => {
    const started = Date.now();
    const error = await runMany(
      [
        {
          image: busybox,
          args: ['sh', '-c', 'echo gave up >&2; exit 3'],
          options: { retry: { attempts: 2, when: [3], backoffMs: 0 } },
          name: 'broken',
        },
        { image: busybox, args: ['sleep', '60'], options: { retry: { attempts: 3, when: [137] } }, name: 'slow' },
      ],
      { concurrency: 2 },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isToolError(error) && [error.attempts, error.exitCode, error.stderrTail]).toEqual([2, 3, 'gave up']);
    // The sleeper was canceled, not retried (137 from our kill is no reason to try again).
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);

  it("a warm session's calls and runMany({ reuse: true }) tasks retry too", async () => {
    const retry = { attempts: 2, when: [3], backoffMs: 0 };
    const session = await toolSession(busybox, [], { retry });
    try {
      const error = await session.run(['sh', '-c', 'exit 3']).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isToolError(error) && [error.attempts, error.shortMessage]).toEqual([2, 'Command failed with exit code 3 after 2 attempts: sh']);
    } finally {
      await session.close();
    }
    const [outcome] = await runMany([{ image: busybox, args: ['sh', '-c', 'exit 3'], options: { retry } }], { reuse: true, failFast: false });
    expect(outcome.status === 'rejected' && isToolError(outcome.reason) && outcome.reason.attempts).toBe(2);
  });

  it('a recipe passes retry through to runTool', async () => {
    configureRecipes({ images: { samtools: bio } });
    onTestFinished(() => configureRecipes({ images: { samtools: undefined } }));
    const notBam = join(tempDir('retry-recipe'), 'not.bam');
    writeFileSync(notBam, 'this is not a BAM file\n');
    const events: string[] = [];
    const error = await samtools
      .flagstat({ input: notBam, run: { retry: { attempts: 2, when: [1], backoffMs: 0 }, onEvent: (e) => events.push(e.type) } })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isToolError(error) && [error.exitCode, error.attempts]).toEqual([1, 2]);
    expect(events.filter((t) => t === 'retry')).toHaveLength(1);
    expect(events.filter((t) => t === 'container:created')).toHaveLength(2);
  });
});
