import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { InvalidInputError, ToolError, type RunResult } from '@tooldock/core';
import { bundleOf, dataBundle, progressBundle, rich } from '@tooldock/jupyter';
import { runResultOf } from '#test-support/run-result-fixture.js';
import { readableLine } from '../../../core/src/fan-out/progress-tracker.js';

const result = (stdout: string): RunResult =>
  runResultOf({ image: 'img', imageId: 'sha256:x', args: ['samtools', '--version'], command: 'samtools --version', stdout, durationMs: 12 });
const toolError = new ToolError('Command failed with exit code 3: sh -c x', {
  image: 'img',
  args: ['sh', '-c', 'x'],
  command: 'sh -c x',
  exitCode: 3,
  stderrTail: 'broken input',
  stderr: 'broken input\n'.repeat(400),
  stdout: 'x'.repeat(10_000),
});
const flagstat = {
  passed: { total: 600, primary: 600, mapped: 598, properlyPaired: 590 },
  failed: { total: 0, primary: 0, mapped: 0, properlyPaired: 0 },
};
const perSample = [
  { sample: 's1', reads: 600, mapped: 99.7 },
  { sample: 's2', reads: 600, mapped: 98.1 },
];

describe('every value has a rich form with a text form beside it', () => {
  const values: Array<[string, unknown]> = [
    ['a run result', result('v1\n')],
    ['a ToolError', toolError],
    ['an InvalidInputError', new InvalidInputError('options.cpus', -1, 'must be positive')],
    ['a TypeError', new TypeError('x is not a function')],
    ['flagstat numbers', flagstat],
    ['per-sample records', perSample],
    [
      'outcomes with function values',
      [
        { status: 'fulfilled', value: { sample: 's1', mapped: 99 } },
        { status: 'rejected', reason: toolError },
      ],
    ],
    ['a number', 42],
    ['a string', 'hello'],
    ['an empty string', ''],
    ['undefined', undefined],
    ['an empty array', []],
    ['a Map', new Map([['a', 1]])],
  ];
  it.each(values)('%s', (_name, value) => {
    const bundle = bundleOf(value);
    expect(bundle['text/plain'].trim()).not.toBe('');
    if ('text/html' in bundle) expect(bundle['text/html']!.length).toBeGreaterThan(20);
    expect(bundle['text/plain']).not.toContain('[object Object]');
  });

  it('shows non-tooldock errors as their name and message, in HTML too', () => {
    const bundle = bundleOf(new InvalidInputError('options.cpus', -1, 'must be positive'));
    expect(bundle['text/plain']).toMatch(/^InvalidInputError: .*options\.cpus/);
    expect(bundle['text/html']).toMatch(/✗ InvalidInputError: /);
  });

  it('renders flagstat numbers as a table with one row per key, numbers right-aligned', () => {
    const bundle = dataBundle(flagstat);
    expect(bundle['text/html']).toContain('<thead><tr><th></th><th>total</th><th>primary</th><th>mapped</th><th>properlyPaired</th></tr></thead>');
    expect(bundle['text/html']).toContain(
      '<tr><th>passed</th><td style="text-align:right">600</td><td style="text-align:right">600</td><td style="text-align:right">598</td>',
    );
    expect(bundle['text/plain'].split('\n')).toEqual([
      '        total  primary  mapped  properlyPaired',
      'passed  600    600      598     590',
      'failed  0      0        0       0',
    ]);
  });

  it('renders an array of records as a table with one row per record', () => {
    const bundle = dataBundle(perSample);
    expect(bundle['text/html']!.match(/<tr>/g)).toHaveLength(3);
    expect(bundle['text/html']).toContain('<td>s2</td><td style="text-align:right">600</td><td style="text-align:right">98.1</td>');
  });

  it("shows function tasks' values in runMany outcomes instead of empty command cells", () => {
    const bundle = bundleOf([
      { status: 'fulfilled', value: { sample: 's1', mapped: 99 } },
      { status: 'rejected', reason: toolError },
    ]);
    expect(bundle['text/html']).toContain('{ sample: &#39;s1&#39;, mapped: 99 }');
    expect(bundle['text/html']).toContain('Command failed with exit code 3');
    expect(bundle['text/plain']).toMatch(/^1 succeeded, 1 failed/);
  });

  it('previews long output by head and tail with an explicit marker', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `line ${i + 1}`).join('\n');
    const html = bundleOf(result(lines))['text/html']!;
    expect(html).toContain('line 1\n');
    expect(html).toContain('line 10\n… 30 lines omitted …\nline 41');
    expect(html).toContain('line 50');
    expect(html).not.toContain('line 25\n');
  });

  it("lists failed tasks in the progress table's final text form", () => {
    const tasks = [
      { index: 0, name: 's1', state: 'done' as const, queuedAt: new Date() },
      { index: 1, name: 's2', state: 'failed' as const, queuedAt: new Date(), error: 'Command failed with exit code 1: bwa mem' },
    ];
    const text = progressBundle(
      {
        task: tasks[1]!,
        tasks,
        totals: { queued: 0, pulling: 0, running: 0, done: 1, failed: 1, canceled: 0, total: 2 },
        startedAt: new Date(),
        elapsedMs: 2000,
        finished: true,
      },
      'alignment',
    )['text/plain'];
    expect(text).toBe('alignment: 1/2 done, 0 running, 0 queued, 1 failed — 2.0 s\n  ✗ s2: Command failed with exit code 1: bwa mem');
  });

  it('rich() values print their text form outside a kernel instead of an object dump', () => {
    expect(inspect(rich(result('v1\n')))).toBe('samtools --version — exit 0 in 12 ms (img)');
  });
});

describe("ToolError printed (console.log, uncaught, a kernel's error output)", () => {
  it('is its message — what failed, image, command, stderr tail — not the stack and every field', () => {
    const printed = inspect(toolError);
    expect(printed).toBe(
      'ToolError: Command failed with exit code 3: sh -c x\n  image:   img\n  command: sh -c x\n  stderr (last lines):\n    broken input',
    );
    expect(printed.split('\n').length).toBeLessThan(10);
  });
});

describe("the progress table's last line", () => {
  it('is the latest redrawn state, without colour codes, cut to a readable width', () => {
    expect(readableLine('10%\r50%\r\x1b[32m90%\x1b[0m')).toBe('90%');
    const sam = `read1\t99\tchr1\t${'A'.repeat(300)}`;
    expect(readableLine(sam)).toHaveLength(120);
    expect(readableLine(sam).endsWith('…')).toBe(true);
  });
});
