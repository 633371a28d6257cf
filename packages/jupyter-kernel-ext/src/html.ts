/** Escapes text for HTML (tool output is untrusted). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * The first and last lines of a text, with an explicit marker for what is left out: a tool's
 * version line is at the top, its verdict at the bottom.
 */
export function headAndTail(text: string, head = 10, tail = 10): string {
  const lines = text.replace(/\s+$/, '').split('\n');
  if (lines.length <= head + tail + 1) return lines.join('\n');
  return [...lines.slice(0, head), `… ${lines.length - head - tail} lines omitted …`, ...lines.slice(-tail)].join('\n');
}

/** One line, at most `width` characters (table cells stay readable). */
export function cut(text: string, width = 120): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}
