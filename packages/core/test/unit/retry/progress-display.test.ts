import { describe, expect, it } from 'vitest';
import type { FanOutProgress, TaskProgress } from '@tooldock/core';
import { progressBundle } from '@tooldock/jupyter';
import { render } from '../../../src/fan-out/terminal-progress.js';

function progress(tasks: TaskProgress[]): FanOutProgress {
  const totals = { queued: 0, pulling: 0, running: 0, done: 0, failed: 0, canceled: 0, total: tasks.length };
  for (const task of tasks) totals[task.state]++;
  return { task: tasks[0]!, tasks, totals, startedAt: new Date(), elapsedMs: 1000, finished: false };
}

const now = new Date();
const tasks: TaskProgress[] = [
  { index: 0, name: 'bwa sample1', state: 'running', queuedAt: now, startedAt: now, attempt: 2, attempts: 3 },
  { index: 1, name: 'bwa sample2', state: 'running', queuedAt: now, startedAt: now },
];

describe('a retried task in the progress displays', () => {
  it('terminalProgress shows "attempt n/m" on a retried task only', () => {
    const [, first, second] = render(progress(tasks), 8, 200).split('\n');
    expect(first).toContain('bwa sample1 (attempt 2/3)');
    expect(second).toContain('bwa sample2');
    expect(second).not.toContain('attempt');
  });

  it("the notebook's live table shows it in the state column", () => {
    const html = progressBundle(progress(tasks), 'align')['text/html'];
    expect(html).toContain('running (attempt 2/3)</td>');
    expect(html.match(/attempt/g)).toHaveLength(1);
  });
});
