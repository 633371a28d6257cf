import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { render } from '../../../src/fan-out/terminal-progress.js';
import { InvalidInputError, terminalProgress, type FanOutProgress, type TaskProgress } from '@tooldock/core';

const task = (index: number, state: TaskProgress['state'], extra: Partial<TaskProgress> = {}): TaskProgress => ({
  index,
  name: `sample-${index}`,
  state,
  queuedAt: new Date(),
  ...extra,
});

function progress(tasks: TaskProgress[]): FanOutProgress {
  const totals = { queued: 0, pulling: 0, running: 0, done: 0, failed: 0, canceled: 0, total: tasks.length };
  for (const t of tasks) totals[t.state]++;
  return { task: tasks[0]!, tasks, totals, startedAt: new Date(), elapsedMs: 12_345, finished: false };
}

describe('terminal progress rendering', () => {
  it('summarises and lists running tasks first, then failures, capped', () => {
    const text = render(
      progress([
        task(0, 'done'),
        task(1, 'failed', { error: 'Command failed with exit code 2: bwa' }),
        task(2, 'running', { startedAt: new Date(), lastLine: '[M::mem_process_seqs] Processed 1000 reads' }),
        task(3, 'running', { startedAt: new Date() }),
        task(4, 'queued'),
      ]),
      2,
      200,
    );
    const lines = text.split('\n');
    expect(lines[0]).toBe('2/5 finished · 2 running · 1 queued · 1 failed · 12.3s');
    expect(lines[1]).toMatch(/^ {2}▶ sample-2 {2}0\.\ds {2}\[M::mem_process_seqs\] Processed 1000 reads$/);
    expect(lines[2]).toMatch(/^ {2}▶ sample-3/);
    expect(lines[3]).toBe('  … 1 more');
  });

  it('counts tasks served from the cache in the summary', () => {
    const text = render(progress([task(0, 'done', { cached: true }), task(1, 'done'), task(2, 'queued')]), 8, 200);
    expect(text.split('\n')[0]).toBe('2/3 finished · 0 running · 1 queued · 1 cached · 12.3s');
    expect(render(progress([task(0, 'done')]), 8, 200)).not.toContain('cached');
  });

  it('clips rows to the terminal width', () => {
    const text = render(progress([task(0, 'running', { startedAt: new Date(), lastLine: 'x'.repeat(500) })]), 8, 40);
    expect(text.split('\n')[1]!.length).toBe(40);
  });
});

describe('terminalProgress options', () => {
  const rejected = (options: unknown) => {
    try {
      terminalProgress(options as never);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      return (error as InvalidInputError).field;
    }
    throw new Error(`terminalProgress(${JSON.stringify(options)}) did not throw`);
  };

  it('rejects unknown keys instead of ignoring them, naming the valid ones', () => {
    expect(rejected({ maxRow: 3 })).toBe('options.maxRow');
    expect(() => terminalProgress({ maxRow: 3 } as never)).toThrow(/"maxRow" is not a known option; valid options are stream, maxRows, fps/);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, '8'])('rejects fps %j (it sets the redraw interval)', (fps) => {
    expect(rejected({ fps })).toBe('options.fps');
  });

  it('rejects fractional or negative row counts and a stream that cannot be written to', () => {
    expect(rejected({ maxRows: 2.5 })).toBe('options.maxRows');
    expect(rejected({ maxRows: -1 })).toBe('options.maxRows');
    expect(rejected({ stream: 'stderr' })).toBe('options.stream');
    expect(rejected(null)).toBe('options');
  });

  it('accepts valid options (a non-terminal stream stays silent)', () => {
    const written: string[] = [];
    const stream = new Writable({
      write: (chunk, _e, cb) => {
        written.push(String(chunk));
        cb();
      },
    });
    const listener = terminalProgress({ stream: stream as unknown as NodeJS.WriteStream, maxRows: 0, fps: 0.5 });
    listener(progress([task(0, 'running')]));
    expect(written).toEqual([]);
  });
});
