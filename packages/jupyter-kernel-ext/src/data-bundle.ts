import { inspect } from 'node:util';
import { cut, escapeHtml } from './html.js';
import { NO_MATH, type MimeBundle } from './render.js';

const MAX_ROWS = 100;
type Row = Record<string, unknown>;

/**
 * Plain data as a notebook shows a DataFrame: an array of records is a table with one row per
 * record; an object of records (e.g. flagstat's `{ passed, failed }`) is a table with one row
 * per key; an object of plain values is a two-column table. Anything else is its inspected text.
 *
 * @example
 * ```ts
 * dataBundle([{ sample: 's1', mapped: 598 }, { sample: 's2', mapped: 590 }])['text/html'];
 * ```
 */
export function dataBundle(value: unknown): MimeBundle {
  if (Array.isArray(value) && value.length > 0 && value.every(isRecord)) return tableBundle(value, undefined);
  if (isRecord(value)) {
    const entries = Object.entries(value);
    if (entries.length > 0 && entries.every(([, v]) => isRecord(v)))
      return tableBundle(
        entries.map(([, v]) => v as Row),
        entries.map(([k]) => k),
      );
    if (entries.length > 0)
      return tableBundle(
        entries.map(([key, v]) => ({ key, value: v })),
        undefined,
      );
  }
  return { 'text/plain': typeof value === 'string' ? value || '""' : inspect(value, { depth: 4, breakLength: 100 }) };
}

/** A plain object (not a class instance, not an array): data rather than behaviour. */
export function isRecord(value: unknown): value is Row {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** One cell's text: numbers as they are, nested values as compact JSON-like text. */
export function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return inspect(value, { depth: 2, breakLength: Infinity, compact: true });
}

function tableBundle(rows: Row[], index: string[] | undefined): MimeBundle {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const shown = rows.slice(0, MAX_ROWS);
  const hidden = rows.length - shown.length;
  const header = [...(index ? [''] : []), ...columns];
  const body = shown.map((r, i) => [...(index ? [index[i]!] : []), ...columns.map((c) => cut(cellText(r[c]), 80))]);
  const numeric = columns.map((c) => shown.every((r) => r[c] === undefined || typeof r[c] === 'number'));
  const align = (i: number) => (numeric[i - (index ? 1 : 0)] ? ' style="text-align:right"' : '');
  const html =
    `<table class="tooldock-data ${NO_MATH}"><thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>` +
    body
      .map(
        (cells) =>
          `<tr>${cells.map((c, i) => (index && i === 0 ? `<th>${escapeHtml(c)}</th>` : `<td${align(i)}>${escapeHtml(c)}</td>`)).join('')}</tr>`,
      )
      .join('') +
    `</tbody></table>${hidden > 0 ? `<small>… ${hidden} more rows (${rows.length} in all)</small>` : ''}`;
  return { 'text/plain': textTable(header, body) + (hidden > 0 ? `\n… ${hidden} more rows` : ''), 'text/html': html };
}

/** Columns padded to their widest cell, as pandas prints a DataFrame. */
export function textTable(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), ...body.map(line)].join('\n');
}
