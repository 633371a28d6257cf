import { describe, expect, it } from 'vitest';
import { runTool, type ToolRun } from '@tooldock/core';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();

/** Settles like `promise`, or rejects once `ms` passed: a wedged run fails the test instead of hanging it. */
function within<T>(promise: PromiseLike<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([Promise.resolve(promise), late]).finally(() => clearTimeout(timer));
}

/** Whatever a failed assertion left running goes, so the file leaves no container behind. */
async function stop(run: ToolRun): Promise<void> {
  run.cancel();
  await within(run, 30_000, 'the cleanup cancel').catch(() => {});
}

/** 200,000 numbered lines, 1.3 MB: far more than every buffer between the tool and us. */
const MANY_LINES = 'seq 1 200000';
const expectedSeq = Array.from({ length: 200_000 }, (_, i) => `${i + 1}\n`).join('');

describe('lines()', () => {
  it('breaking out early does not wedge the run: it finishes and captures everything', async () => {
    const run = runTool(busybox, ['sh', '-c', MANY_LINES]);
    try {
      for await (const { line } of run.lines()) {
        expect(line).toBe('1');
        break;
      }
      const result = await within(run, 30_000, 'the run after a break');
      expect(result.stdout).toBe(expectedSeq);
    } finally {
      await stop(run);
    }
  });

  it('cancel still works after a break', async () => {
    const run = runTool(busybox, ['sh', '-c', `${MANY_LINES}; echo done >&2; sleep 60`]);
    try {
      for await (const { line } of run.lines()) {
        expect(line).toBe('1');
        break;
      }
      // The tool gets past its output (nothing holds it back) before we cancel it.
      await within(
        new Promise<void>((resolve) => {
          run.stderr.on('data', (chunk: Buffer) => chunk.toString().includes('done') && resolve());
        }),
        30_000,
        "the tool's output after a break",
      );
      run.cancel();
      await expect(within(run, 30_000, 'a cancel after a break')).rejects.toMatchObject({ canceled: true });
    } finally {
      await stop(run);
    }
  });

  it('a 100 MB line costs little memory: it is cut with a marker and the next line follows', async () => {
    const size = 100 * 1024 * 1024;
    const longLine = (bytes: number) =>
      runTool(busybox, ['sh', '-c', `head -c ${bytes} /dev/zero | tr '\\0' a; echo; echo next`], [], { stdout: 'ignore' });
    // The first streaming run warms buffers and pools up (~40 MB here, lines() or not): not what is measured.
    const warmUp = longLine(16 * 1024 * 1024);
    for await (const _ of warmUp.lines());
    await warmUp;
    const run = longLine(size);
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const lines: string[] = [];
    try {
      for await (const { line } of run.lines()) lines.push(line);
      await run;
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(lines).toHaveLength(2);
    expect(lines[0]!.startsWith('a'.repeat(1024 * 1024))).toBe(true);
    expect(lines[0]!.slice(1024 * 1024)).toBe(`… [line truncated: ${size - 1024 * 1024} bytes dropped]`);
    expect(lines[1]).toBe('next');
    expect((peak - before) / 1024 / 1024).toBeLessThan(64);
  });
});
