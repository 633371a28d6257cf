import { describe, expect, it } from 'vitest';
import { ToolError, type FanOutProgress } from '@tooldock/core';
import { bundleOf, progressBundle } from '@tooldock/jupyter';
import { runResultOf } from '#test-support/run-result-fixture.js';

const result = runResultOf({
  image: 'img',
  imageId: 'sha256:x',
  args: ['echo', '<b>'],
  command: "echo '<b>'",
  stdout: '<script>x</script>\n',
  durationMs: 12,
});

describe('rich rendering', () => {
  it('escapes tool output and commands in HTML', () => {
    const bundle = bundleOf(result)!;
    expect(bundle['text/html']).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(bundle['text/html']).not.toContain('<script>');
    expect(bundle['text/plain']).toBe("echo '<b>' — exit 0 in 12 ms (img)");
  });

  it('renders ToolErrors with a hint and outcome lists as tables', () => {
    const error = new ToolError('Command timed out after 5 ms and was killed: sleep', {
      image: 'img',
      args: ['sleep'],
      command: 'sleep',
      timedOut: true,
    });
    expect(bundleOf(error)!['text/html']).toContain('Raise timeoutMs');
    const table = bundleOf([
      { status: 'fulfilled', value: result },
      { status: 'rejected', reason: error },
    ])!;
    expect(table['text/plain'].split('\n')).toHaveLength(4); // summary, header, two rows
    expect(table['text/plain']).toMatch(/^1 succeeded, 1 failed\n/);
    expect(table['text/html']).toContain('<td style="color:#c00">✗</td>');
  });

  it('caps the progress table rows and shows running tasks first', () => {
    const tasks = Array.from({ length: 120 }, (_, index) => ({
      index,
      name: `s${index}`,
      state: index === 119 ? ('running' as const) : ('queued' as const),
      queuedAt: new Date(),
    }));
    const p: FanOutProgress = {
      task: tasks[0]!,
      tasks,
      totals: { queued: 119, pulling: 0, running: 1, done: 0, failed: 0, canceled: 0, total: 120 },
      startedAt: new Date(),
      elapsedMs: 1000,
      finished: false,
    };
    const html = progressBundle(p, 'big', 10)['text/html'];
    expect(html.match(/<tr><td>/g)).toHaveLength(10);
    expect(html.indexOf('s119')).toBeLessThan(html.indexOf('s0<'));
    expect(html).toContain('… and 110 more');
  });

  it('marks a result served from the cache, in show() and in the live progress table', () => {
    const hit = bundleOf({ ...result, cached: true })!;
    expect(hit['text/plain']).toBe("echo '<b>' — exit 0 in 12 ms · cached (no container ran) (img)");
    expect(hit['text/html']).toContain('<span class="tooldock-cached"');
    expect(bundleOf(result)!['text/html']).not.toContain('tooldock-cached');
    expect(bundleOf([result, { ...result, cached: true }])!['text/plain']).toMatch(/12 ms.*\n.*cached/s);
    const tasks = [
      { index: 0, name: 'ran', state: 'done' as const, queuedAt: new Date(), durationMs: 900 },
      { index: 1, name: 'hit', state: 'done' as const, queuedAt: new Date(), durationMs: 3, cached: true },
    ];
    const p: FanOutProgress = {
      task: tasks[1]!,
      tasks,
      totals: { queued: 0, pulling: 0, running: 0, done: 2, failed: 0, canceled: 0, total: 2 },
      startedAt: new Date(),
      elapsedMs: 1000,
      finished: true,
    };
    const bundle = progressBundle(p, 'qc');
    expect(bundle['text/plain']).toBe('qc: 2/2 done, 0 running, 0 queued, 1 cached — 1.0 s');
    expect(bundle['text/html']).toMatch(/<td>hit<\/td><td style="color:#080">done \(cached\)<\/td>/);
    expect(bundle['text/html']).toMatch(/<td>ran<\/td><td style="color:#080">done<\/td>/);
    // Neither task said anything: an empty last line is an empty cell (an empty <code> is drawn as a grey box).
    expect(bundle['text/html']).not.toContain('<code></code>');
    const said = progressBundle({ ...p, tasks: [{ ...tasks[0]!, lastLine: 'indexing' }, tasks[1]!] }, 'qc')['text/html'];
    expect(said).toContain('<td><code>indexing</code></td></tr>');
  });
});

describe('what a person sees in the notebook', () => {
  const running = (startedAt: Date) => {
    const tasks = [{ index: 0, name: 'silent', state: 'running' as const, queuedAt: startedAt, startedAt }];
    return {
      task: tasks[0]!,
      tasks,
      totals: { queued: 0, pulling: 0, running: 1, done: 0, failed: 0, canceled: 0, total: 1 },
      startedAt,
      elapsedMs: 0,
      finished: false,
    } satisfies FanOutProgress;
  };

  it('reads the progress clock when drawing: header and rows agree and move while a task is silent', () => {
    const start = new Date(1_000_000);
    const p = running(start);
    const at = (ms: number) => progressBundle(p, 'qc', 25, start.getTime() + ms)['text/html'];
    expect(at(4500)).toContain('qc: 0/1 done, 1 running, 0 queued — 4.5 s');
    expect(at(4500)).toContain('<td>4.5 s</td>');
    expect(at(9000)).toContain('— 9.0 s');
  });

  it('says a live table is stale once its redraws stop (CSS, no kernel needed); a finished one is not', () => {
    expect(progressBundle(running(new Date()), 'qc')['text/html']).toMatch(/animation:tooldock-stale 0s linear 5s forwards[^>]*>⚠ not live/);
    const done = { ...running(new Date()), finished: true };
    expect(progressBundle(done, 'qc')['text/html']).not.toContain('tooldock-stale');
  });

  it('keeps MathJax off commands and output: a $ stays a $', () => {
    const html = bundleOf({ ...result, command: "sh -c 'echo $HOME'" })['text/html']!;
    expect(html).toMatch(/^<div class="tooldock-result tex2jax_ignore mathjax_ignore">/);
    expect(html).toContain('<code>sh -c &#39;echo $HOME&#39;</code>');
    for (const value of [[{ a: '$x$' }], new Error('$x$'), [{ status: 'fulfilled', value: result }]])
      expect(bundleOf(value)['text/html']).toContain('tex2jax_ignore');
  });

  it('numbers outcome rows from 1 with the task names runMany attached, and the commands', () => {
    const error = new ToolError('Command failed with exit code 3: sh', {
      image: 'img',
      args: ['sh', '-c', 'exit 3'],
      command: "sh -c 'exit 3'",
      exitCode: 3,
    });
    const list = Object.defineProperty(
      [
        { status: 'fulfilled', value: result },
        { status: 'rejected', reason: error },
      ],
      Symbol.for('tooldock.taskNames'),
      { value: ['good', 'broken'] },
    );
    const html = bundleOf(list)['text/html']!;
    expect(html).toContain('<tr><td>1</td><td>good</td><td style="color:#080">✓</td><td><code>echo &#39;&lt;b&gt;&#39;</code></td>');
    expect(html).toContain('<tr><td>2</td><td>broken</td><td style="color:#c00">✗</td><td><code>sh -c &#39;exit 3&#39;</code></td><td>3</td>');
  });
});
