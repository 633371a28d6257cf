import { inspect } from 'node:util';
import { isToolError } from '@tooldock/core';
import { dataBundle } from './data-bundle.js';
import { displayBundle } from './display.js';
import { denoJupyter, detectKernel, letDenoSend } from './kernel.js';
import { errorBundle, isRunResult, isSettled, outcomesBundle, plainErrorBundle, resultBundle, type MimeBundle } from './render.js';
import { installTslabProtocol, tslabCellUnderProtocol, tslabResultMarker } from './tslab-protocol.js';
import { tslabDisplay } from './tslab-kernel.js';

/**
 * The rich form of any value: a run result, a `ToolError` or any other error, `runMany`'s
 * results or outcomes (function tasks' values included), plain data as a table, else its text.
 *
 * @example
 * ```ts
 * const bundle = bundleOf(await runTool(image, ['true']));
 * bundle['text/html'];
 * ```
 */
export function bundleOf(value: unknown): MimeBundle {
  const own = (value as Record<symbol, unknown> | null)?.[Symbol.for('tooldock.jupyter.bundle')];
  if (typeof own === 'function') return own() as MimeBundle;
  if (isToolError(value)) return errorBundle(value);
  if (value instanceof Error) return plainErrorBundle(value);
  if (isRunResult(value)) return resultBundle(value);
  if (Array.isArray(value) && value.length > 0 && value.some((v) => isSettled(v) || isRunResult(v) || isToolError(v))) return outcomesBundle(value);
  return dataBundle(value);
}

/**
 * Shows any value richly in Deno's Jupyter kernel and in tslab (HTML with its text form beside
 * it), and as plain text elsewhere (a terminal). Resolves once the output is on its way.
 *
 * @example
 * ```ts
 * await show(await runTool(image, ['samtools', '--version']));
 * await show(stats);   // an array of records: a table
 * ```
 */
export async function show(value: unknown): Promise<void> {
  await displayBundle(bundleOf(value));
}

const denoDisplay = Symbol.for('Jupyter.display');
const nodeInspect = Symbol.for('nodejs.util.inspect.custom');

/**
 * Makes a value render itself richly as a cell's last expression, in both kernels. Under Deno
 * the output is sent while the kernel asks for it (`Symbol.for("Jupyter.display")`), before the
 * cell reports idle, so headless runs do not lose it; under tslab it becomes the cell's
 * `execute_result`. Elsewhere the value prints as its text form.
 *
 * @example
 * ```ts
 * rich(await runTool(image, ['samtools', '--version']))   // last line of a cell
 * rich(stats)                                             // records: a table
 * ```
 */
export function rich<T extends object>(value: T): T {
  const bundle = () => bundleOf(value);
  if (detectKernel() === 'tslab') installTslabProtocol();
  Object.defineProperty(value, denoDisplay, {
    // Deno sends what this returns as the execute_result — at times after the idle status, and
    // nbconvert drops it. Sent from here, as a display awaited before returning, it arrives in
    // time; the empty bundle returned leaves only an empty execute_result for Deno to send.
    value: async () => {
      if (!denoJupyter()) return bundle();
      await displayBundle(bundle());
      await letDenoSend();
      return {};
    },
    enumerable: false, configurable: true,
  });
  Object.defineProperty(value, nodeInspect, {
    // tslab console.log's a cell's value: the completed protocol turns this into its result.
    value: (depth: number, options: object) => {
      if (detectKernel() !== 'tslab') return detectKernel() === 'plain' ? bundle()['text/plain'] : inspect({ ...value }, { ...options, depth });
      if (tslabCellUnderProtocol()) return tslabResultMarker(bundle() as Record<string, string>);
      // The cell that imported the helper still runs under tslab's own protocol: a display.
      return tslabDisplay(bundle() as Record<string, string>) ? '' : bundle()['text/plain'];
    },
    enumerable: false, configurable: true,
  });
  return value;
}
