import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { escapeHtml } from './html.js';
import { rich } from './show.js';

/** A standalone HTML report (FastQC, MultiQC, …) shown in a cell. */
export interface HtmlReport {
  readonly path: string;
}

/**
 * A tool's HTML report, shown inline in its own frame (its styles stay its own) when it is a
 * cell's value or passed to `show()`; its path as text elsewhere.
 *
 * @example
 * ```ts
 * htmlReport(reports[0].html)            // last line of a cell: the FastQC report, inline
 * ```
 */
export function htmlReport(path: string, options: { height?: number } = {}): HtmlReport {
  const report = { path };
  Object.defineProperty(report, Symbol.for('tooldock.jupyter.bundle'), {
    value: () => ({
      'text/plain': `${basename(path)}: ${path}`,
      'text/html':
        `<iframe title="${escapeHtml(basename(path))}" srcdoc="${escapeHtml(fitToFrame(readFileSync(path, 'utf8')))}" ` +
        `style="width:100%;height:${options.height ?? 600}px;border:1px solid #ddd"></iframe>`,
    }),
  });
  return rich(report);
}

/**
 * FastQC's report pins its module list (`div.summary`) and footer to the window: in a frame
 * shorter than the list, the footer covered the last modules and the list could not scroll to
 * them. The list then ends above the footer and scrolls on its own (its screen layout otherwise
 * unchanged; print styles untouched). Other reports are shown as they are.
 */
export function fitToFrame(html: string): string {
  if (!/<div class="summary">/.test(html) || !/<div class="footer">[^<]*Produced by <a[^>]*>FastQC<\/a>/.test(html)) return html;
  const style = '<style>@media screen { div.summary { bottom: 2.3em; overflow-y: auto; margin-bottom: 0; } }</style>';
  return html.includes('</head>') ? html.replace('</head>', `${style}</head>`) : `${style}${html}`;
}
