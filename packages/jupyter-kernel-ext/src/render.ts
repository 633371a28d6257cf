import { isToolError, type FanOutProgress, type ResolvedMount, type RunResult, type TaskProgress, type ToolError } from '@tooldock/core';
import { formatPullProgress } from '@tooldock/core/images';
import { cellText, textTable } from './data-bundle.js';
import { cut, escapeHtml, headAndTail } from './html.js';

/** Where runMany leaves its tasks' names on the list it returns. */
const taskNames = Symbol.for('tooldock.taskNames');

/** A MIME bundle as Jupyter displays it: always a (non-empty) text form, HTML when there is one. */
export type MimeBundle = { 'text/plain': string; 'text/html'?: string };
/** A bundle that has its HTML form. */
export type HtmlBundle = Required<MimeBundle>;

/**
 * On every box we draw: the notebook's MathJax skips elements with these classes (MathJax 2's
 * `tex2jax_ignore`, MathJax 3's `mathjax_ignore`), so a `$` in a command or in tool output is
 * shown as typed instead of becoming italic maths.
 */
export const NO_MATH = 'tex2jax_ignore mathjax_ignore';

/** How a result served from the cache is marked: no container ran for it. */
const CACHED_NOTE = '· cached (no container ran)';
const CACHED_BADGE =
  '<span class="tooldock-cached" style="background:#e6f0ff;color:#06c;border-radius:3px;padding:0 4px">cached</span> <small>no container ran</small>';

const STATE_COLOURS: Record<string, string> = {
  queued: '#888',
  pulling: '#06c',
  running: '#06c',
  done: '#080',
  failed: '#c00',
  canceled: '#b60',
};

/**
 * A finished run: image, command, exit, duration, mounts, and a preview of its output.
 *
 * @example
 * ```ts
 * resultBundle(await runTool(image, ['samtools', '--version']))['text/html'];
 * ```
 */
export function resultBundle(r: RunResult): HtmlBundle {
  const preview = (label: string, value: unknown) =>
    value === undefined || value === ''
      ? ''
      : `<details${label === 'stdout' ? ' open' : ''}><summary>${label}</summary><pre>${escapeHtml(headAndTail(String(value)))}</pre></details>`;
  const mounts = r.mounts
    .map((m) => `<li><code>${escapeHtml(m.target)}</code> ← ${escapeHtml(mountSource(m.source))}${m.readOnly ? ' (ro)' : ''}</li>`)
    .join('');
  return {
    'text/plain': `${r.command} — exit ${r.exitCode} in ${r.durationMs} ms${r.cached ? ` ${CACHED_NOTE}` : ''} (${r.image})`,
    'text/html':
      `<div class="tooldock-result ${NO_MATH}"><b>✓</b> <code>${escapeHtml(r.command)}</code> — exit ${r.exitCode} in ${r.durationMs} ms${r.cached ? ` ${CACHED_BADGE}` : ''}<br>` +
      `<small>${escapeHtml(r.image)}</small>${mounts ? `<ul>${mounts}</ul>` : ''}${preview('stdout', r.stdout)}${preview('stderr', r.stderr)}</div>`,
  };
}

/**
 * A failed run: what failed, the stderr tail, and a hint.
 *
 * @example
 * ```ts
 * try { await runTool(image, ['false']); } catch (e) { if (isToolError(e)) errorBundle(e)['text/html']; }
 * ```
 */
export function errorBundle(e: ToolError): HtmlBundle {
  const hint = e.oomKilled
    ? "Raise the memory option or lower the tool's threads."
    : e.timedOut
      ? 'Raise timeoutMs, or check the input.'
      : e.canceled
        ? 'The run was canceled (interrupt or abort).'
        : e.exitCode === undefined
          ? 'The daemon refused the run: see the message.'
          : "See the tool's stderr above.";
  return {
    'text/plain': e.message,
    'text/html':
      `<div class="tooldock-error ${NO_MATH}" style="border-left:4px solid #c00;padding-left:8px"><b>✗ ${escapeHtml(e.shortMessage)}</b><br>` +
      `<small>${escapeHtml(e.image)} · <code>${escapeHtml(e.command)}</code></small>` +
      (e.stderrTail ? `<pre>${escapeHtml(e.stderrTail)}</pre>` : '') +
      `<p><i>${escapeHtml(hint)}</i></p></div>`,
  };
}

/**
 * Any other error (invalid input, a daemon that is not there, a bug): its name and message, short.
 *
 * @example
 * ```ts
 * plainErrorBundle(new TypeError('x is not a function'))['text/plain']; // 'TypeError: x is not a function'
 * ```
 */
export function plainErrorBundle(e: Error): HtmlBundle {
  const title = `${e.name}: ${e.message}`;
  const [first, ...rest] = title.split('\n');
  return {
    'text/plain': title,
    'text/html':
      `<div class="tooldock-error ${NO_MATH}" style="border-left:4px solid #c00;padding-left:8px"><b>✗ ${escapeHtml(first!)}</b>` +
      (rest.length ? `<pre>${escapeHtml(rest.join('\n'))}</pre>` : '') +
      '</div>',
  };
}

/**
 * Outcomes of `runMany(…, { failFast: false })`, or its results, as a table.
 *
 * @example
 * ```ts
 * outcomesBundle(await runMany(tasks, { failFast: false }))['text/plain'];
 * ```
 */
export function outcomesBundle(outcomes: unknown[]): HtmlBundle {
  // runMany's lists carry their tasks' names (hidden): rows are named and numbered like the
  // progress table's, from 1.
  const names = (outcomes as { [taskNames]?: unknown })[taskNames];
  const nameOf = (i: number) => (Array.isArray(names) && typeof names[i] === 'string' ? (names[i] as string) : '');
  const rows = outcomes.map((o, i) => {
    const settled = isSettled(o) ? o : undefined;
    const value = settled ? (settled.status === 'fulfilled' ? settled.value : settled.reason) : o;
    const failed = settled?.status === 'rejected' || value instanceof Error;
    const row = (mark: string, command: string, exit: string, time: string, text: string) => [
      String(i + 1),
      nameOf(i),
      mark,
      command,
      exit,
      time,
      text,
    ];
    if (isToolError(value))
      return row(
        '✗',
        value.command,
        String(value.exitCode ?? ''),
        value.durationMs === undefined ? '' : `${value.durationMs} ms`,
        value.shortMessage,
      );
    if (failed) return row('✗', '', '', '', cut(value instanceof Error ? `${value.name}: ${value.message}` : String(value)));
    if (isRunResult(value))
      return row('✓', value.command, String(value.exitCode), value.cached ? 'cached' : `${value.durationMs} ms`, cut(String(value.stdout ?? ''), 80));
    // A function task's own value: what the notebook wanted from it.
    return row('✓', '', '', '', cut(cellText(value)));
  });
  const header = ['#', 'task', '', 'command', 'exit', 'time', 'value / error'];
  const failures = rows.filter((r) => r[2] === '✗').length;
  const summary = `${rows.length - failures} succeeded${failures ? `, ${failures} failed` : ''}`;
  const cell = (c: string, j: number) =>
    j === 2
      ? `<td style="color:${c === '✗' ? '#c00' : '#080'}">${c}</td>`
      : `<td>${j === 3 && c ? `<code>${escapeHtml(c)}</code>` : escapeHtml(c)}</td>`;
  return {
    'text/plain': `${summary}\n${textTable(header, rows)}`,
    'text/html':
      `<div class="tooldock-outcomes ${NO_MATH}"><b>${summary}</b><table><tr>${header.map((h) => `<th>${h}</th>`).join('')}</tr>` +
      rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('') +
      '</table></div>',
  };
}

/** `{ status: 'fulfilled', value }` or `{ status: 'rejected', reason }`, as `runMany(…, { failFast: false })` returns. */
export function isSettled(o: unknown): o is { status: 'fulfilled'; value: unknown } | { status: 'rejected'; reason: unknown } {
  const s = o as { status?: unknown } | null;
  return typeof s === 'object' && s !== null && ((s.status === 'fulfilled' && 'value' in s) || (s.status === 'rejected' && 'reason' in s));
}

/** A tooldock run result (from any copy of the package). */
export function isRunResult(value: unknown): value is RunResult {
  return typeof value === 'object' && value !== null && 'exitCode' in value && 'command' in value && 'image' in value && 'durationMs' in value;
}

/**
 * The live progress table of a fan-out; at most `maxRows` task rows (running and failed first).
 *
 * @example
 * ```ts
 * runMany(tasks, { onProgress: (p) => console.log(progressBundle(p, 'qc')['text/plain']) });
 * ```
 */
export function progressBundle(p: FanOutProgress, title: string, maxRows = 25, now = Date.now()): HtmlBundle {
  const t = p.totals;
  // One clock for the header and the rows, read when the table is drawn (not when the last event
  // came): a task that prints nothing for minutes still shows its time going up.
  const elapsedMs = p.finished ? p.elapsedMs : now - p.startedAt.getTime();
  const summary =
    `${title}: ${t.done}/${t.total} done, ${t.running + t.pulling} running, ${t.queued} queued` +
    (t.failed ? `, ${t.failed} failed` : '') +
    (t.canceled ? `, ${t.canceled} canceled` : '') +
    cachedCount(p) +
    ` — ${seconds(elapsedMs)}`;
  const order = { running: 0, pulling: 0, failed: 1, canceled: 2, queued: 3, done: 4 } as const;
  const shown = [...p.tasks].sort((a, b) => order[a.state] - order[b.state] || a.index - b.index).slice(0, maxRows);
  const rows = shown
    .map((task) => {
      const elapsed = task.durationMs ?? (task.startedAt ? Math.min(now - task.startedAt.getTime(), elapsedMs) : undefined);
      // No line, no <code>: the notebook's CSS draws an empty one as a small grey box in every row.
      const line = cut(task.error ?? pullLine(task) ?? task.lastLine ?? '');
      return (
        `<tr><td>${task.index + 1}</td><td>${escapeHtml(task.name)}</td>` +
        `<td style="color:${STATE_COLOURS[task.state]}">${task.state}${task.cached ? ' (cached)' : ''}${task.attempt ? ` (attempt ${task.attempt}/${task.attempts})` : ''}${task.jobId ? ` <small>job ${escapeHtml(task.jobId)} ${escapeHtml(task.jobState ?? '')}${task.node ? ` on ${escapeHtml(task.node)}` : ''}</small>` : ''}</td><td>${elapsed === undefined ? '' : seconds(elapsed)}</td>` +
        `<td>${task.exitCode ?? ''}</td><td>${line ? `<code>${escapeHtml(line)}</code>` : ''}</td></tr>`
      );
    })
    .join('');
  const hidden = p.tasks.length - shown.length;
  return {
    'text/plain':
      summary +
      (p.finished && t.failed
        ? `\n${p.tasks
            .filter((x) => x.state === 'failed')
            .map((x) => `  ✗ ${x.name}: ${x.error ?? ''}`)
            .join('\n')}`
        : ''),
    'text/html':
      `<div class="tooldock-progress ${NO_MATH}"><b>${escapeHtml(summary)}</b>${p.finished ? '' : STALE_NOTE}<table><tr><th>#</th><th>task</th><th>state</th><th>time</th><th>exit</th><th>last line</th></tr>${rows}</table>` +
      (hidden > 0 ? `<small>… and ${hidden} more</small>` : '') +
      '</div>',
  };
}

/**
 * A live table is redrawn every second while its fan-out runs. If the redraws stop (the kernel
 * was restarted, died, or the notebook was reopened later), this note appears after a few
 * seconds — pure CSS, restarted by each redraw, so it needs no kernel — instead of the table
 * claiming forever that tasks are running.
 */
const STALE_NOTE =
  '<style>@keyframes tooldock-stale{to{max-height:3em}}</style>' +
  '<div class="tooldock-stale" style="max-height:0;overflow:hidden;color:#b60;animation:tooldock-stale 0s linear 5s forwards">' +
  '⚠ not live: no update for 5 s — the kernel was restarted, stopped or is busy elsewhere; the states below are the last ones seen</div>';

function seconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
}

/** A task waiting for its image: the pull's layers, bytes and rate in place of a last line. */
function pullLine(task: TaskProgress): string | undefined {
  return task.state === 'pulling' && task.pull ? formatPullProgress(task.pull) : undefined;
}

/** Tasks served from the result cache finished without running a container. */
function cachedCount(p: FanOutProgress): string {
  const cached = p.tasks.filter((task) => task.cached).length;
  return cached ? `, ${cached} cached` : '';
}

function mountSource(source: ResolvedMount['source']): string {
  if (source.type === 'bind') return source.path;
  return source.type === 'volume' ? `volume ${source.name}` : 'copied (the daemon shares no files with us)';
}
