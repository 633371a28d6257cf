import { isToolError, type FanOutProgress, type ResolvedMount, type RunResult, type ToolError } from '@tooldock/core';
import { escapeHtml, tail } from './html.js';

/** A MIME bundle as Jupyter displays it. */
export type MimeBundle = { 'text/plain': string; 'text/html': string };

const STATE_COLOURS: Record<string, string> = {
  queued: '#888', pulling: '#06c', running: '#06c', done: '#080', failed: '#c00', canceled: '#b60',
};

/**
 * A finished run: image, command, exit, duration, mounts, and a preview of its output.
 *
 * @example
 * ```ts
 * resultBundle(await runTool(image, ['samtools', '--version']))['text/html'];
 * ```
 */
export function resultBundle(r: RunResult): MimeBundle {
  const preview = (label: string, value: unknown) => value === undefined || value === ''
    ? '' : `<details${label === 'stdout' ? ' open' : ''}><summary>${label}</summary><pre>${escapeHtml(tail(String(value)))}</pre></details>`;
  const mounts = r.mounts.map((m) => `<li><code>${escapeHtml(m.target)}</code> ← ${escapeHtml(mountSource(m.source))}${m.readOnly ? ' (ro)' : ''}</li>`).join('');
  return {
    'text/plain': `${r.command} — exit ${r.exitCode} in ${r.durationMs} ms (${r.image})`,
    'text/html': `<div class="tooldock-result"><b>✓ ${escapeHtml(r.command)}</b> — exit ${r.exitCode} in ${r.durationMs} ms<br>` +
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
export function errorBundle(e: ToolError): MimeBundle {
  const hint = e.oomKilled ? 'Raise the memory option or lower the tool\'s threads.'
    : e.timedOut ? 'Raise timeoutMs, or check the input.'
      : e.canceled ? 'The run was canceled (interrupt or abort).'
        : e.exitCode === undefined ? 'The daemon refused the run: see the message.' : 'See the tool\'s stderr above.';
  return {
    'text/plain': e.message,
    'text/html': `<div class="tooldock-error" style="border-left:4px solid #c00;padding-left:8px"><b>✗ ${escapeHtml(e.shortMessage)}</b><br>` +
      `<small>${escapeHtml(e.image)} · <code>${escapeHtml(e.command)}</code></small>` +
      (e.stderrTail ? `<pre>${escapeHtml(e.stderrTail)}</pre>` : '') + `<p><i>${escapeHtml(hint)}</i></p></div>`,
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
export function outcomesBundle(outcomes: unknown[]): MimeBundle {
  const rows = outcomes.map((o, i) => {
    const settled = o as { status?: string; value?: unknown; reason?: unknown };
    const value = settled.status ? (settled.status === 'fulfilled' ? settled.value : settled.reason) : o;
    if (isToolError(value)) return [i, '✗', value.command, value.exitCode ?? '', value.shortMessage];
    const r = value as Partial<RunResult>;
    return [i, '✓', r.command ?? '', r.exitCode ?? '', r.durationMs !== undefined ? `${r.durationMs} ms` : ''];
  });
  return {
    'text/plain': rows.map((r) => r.join('  ')).join('\n'),
    'text/html': `<table class="tooldock-outcomes"><tr><th>#</th><th></th><th>command</th><th>exit</th><th></th></tr>` +
      rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(String(c))}</td>`).join('')}</tr>`).join('') + '</table>',
  };
}

/**
 * The live progress table of a fan-out; at most `maxRows` task rows (running and failed first).
 *
 * @example
 * ```ts
 * runMany(tasks, { onProgress: (p) => console.log(progressBundle(p, 'qc')['text/plain']) });
 * ```
 */
export function progressBundle(p: FanOutProgress, title: string, maxRows = 25): MimeBundle {
  const t = p.totals;
  const summary = `${title}: ${t.done}/${t.total} done, ${t.running + t.pulling} running, ${t.queued} queued` +
    (t.failed ? `, ${t.failed} failed` : '') + (t.canceled ? `, ${t.canceled} canceled` : '') + ` — ${(p.elapsedMs / 1000).toFixed(1)} s`;
  const order = { running: 0, pulling: 0, failed: 1, canceled: 2, queued: 3, done: 4 } as const;
  const shown = [...p.tasks].sort((a, b) => order[a.state] - order[b.state] || a.index - b.index).slice(0, maxRows);
  const rows = shown.map((task) => {
    const elapsed = task.durationMs ?? (task.startedAt ? Date.now() - task.startedAt.getTime() : undefined);
    return `<tr><td>${task.index + 1}</td><td>${escapeHtml(task.name)}</td>` +
      `<td style="color:${STATE_COLOURS[task.state]}">${task.state}</td><td>${elapsed === undefined ? '' : `${(elapsed / 1000).toFixed(1)} s`}</td>` +
      `<td>${task.exitCode ?? ''}</td><td><code>${escapeHtml(task.error ?? task.lastLine ?? '')}</code></td></tr>`;
  }).join('');
  const hidden = p.tasks.length - shown.length;
  return {
    'text/plain': summary,
    'text/html': `<div class="tooldock-progress"><b>${escapeHtml(summary)}</b><table><tr><th>#</th><th>task</th><th>state</th><th>time</th><th>exit</th><th>last line</th></tr>${rows}</table>` +
      (hidden > 0 ? `<small>… and ${hidden} more</small>` : '') + '</div>',
  };
}

function mountSource(source: ResolvedMount['source']): string {
  if (source.type === 'bind') return source.path;
  return source.type === 'volume' ? `volume ${source.name}` : 'copied (the daemon shares no files with us)';
}
