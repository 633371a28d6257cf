/** Escapes text for HTML (tool output is untrusted). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The last `lines` lines of a text, for previews. */
export function tail(text: string, lines = 20): string {
  return text.replace(/\s+$/, '').split('\n').slice(-lines).join('\n');
}
