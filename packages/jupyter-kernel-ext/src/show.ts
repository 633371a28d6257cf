import { isToolError, type RunResult } from '@tooldock/core';
import { denoJupyter, detectKernel, letDenoSend } from './kernel.js';
import { tslab } from './tslab-display.js';
import { errorBundle, outcomesBundle, resultBundle, type MimeBundle } from './render.js';

/**
 * The rich form of a tooldock value: a run result, a ToolError, or runMany outcomes.
 *
 * @example
 * ```ts
 * const bundle = bundleOf(await runTool(image, ['true']));
 * bundle?.['text/html'];
 * ```
 */
export function bundleOf(value: unknown): MimeBundle | undefined {
  if (isToolError(value)) return errorBundle(value);
  if (Array.isArray(value)) return outcomesBundle(value);
  if (value && typeof value === 'object' && 'exitCode' in value && 'command' in value && 'image' in value) return resultBundle(value as RunResult);
  return undefined;
}

/**
 * Shows a run result, a `ToolError` or `runMany` outcomes richly in Deno's Jupyter kernel and
 * in tslab (HTML with a text fallback), and as plain text elsewhere (a terminal).
 *
 * @example
 * ```ts
 * await show(await runTool(image, ['samtools', '--version']));
 * ```
 */
export async function show(value: unknown): Promise<void> {
  const bundle = bundleOf(value) ?? { 'text/plain': String(value), 'text/html': '' };
  const jupyter = denoJupyter();
  const tslabApi = detectKernel() === 'tslab' ? tslab() : undefined;
  if (jupyter) {
    await jupyter.display(bundle, { raw: true });
    await letDenoSend();
  }
  else if (tslabApi && bundle['text/html']) tslabApi.display.html(bundle['text/html']);
  else console.log(bundle['text/plain']);
}

/**
 * Wraps a value so it renders itself as a cell's last expression in Deno's kernel
 * (`Symbol.for("Jupyter.display")`).
 *
 * @example
 * ```ts
 * rich(await runTool(image, ['samtools', '--version']))   // last line of a cell
 * ```
 */
export function rich<T extends object>(value: T): T {
  const bundle = bundleOf(value);
  if (!bundle) return value;
  return Object.defineProperty(value, Symbol.for('Jupyter.display'), { value: () => bundle, enumerable: false, configurable: true });
}
