import { bundleOf } from './show.js';
import type { MimeBundle } from './render.js';

/**
 * How a cell's last expression is shown when the helper is loaded, in both kernels: a run
 * result, an error, a fan-out's results or outcomes, records (a table) — anything with a rich
 * form — exactly as `rich()` shows it; every other value (strings, numbers, class instances) is
 * left to the kernel. Undefined means "not ours".
 *
 * @example
 * ```ts
 * // A kernel integration of your own: show a tooldock value as the helper does.
 * const bundle = bareValueBundle(await runTool('busybox', ['echo', 'hi'], []));
 * if (bundle) display(bundle); // text/html + text/plain
 * ```
 */
export function bareValueBundle(value: unknown): MimeBundle | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  try {
    const bundle = bundleOf(value);
    return bundle['text/html'] ? bundle : undefined;
  } catch {
    return undefined; // a getter that throws, a report file gone: the kernel's own form
  }
}
