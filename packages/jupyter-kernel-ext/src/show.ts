import { inspect } from 'node:util';
import { isToolError } from '@tooldock/core';
import { dataBundle } from './data-bundle.js';
import { displayBundle } from './display.js';
import { detectKernel } from './kernel.js';
import { errorBundle, isRunResult, isSettled, outcomesBundle, plainErrorBundle, resultBundle, type MimeBundle } from './render.js';
import { installTslabProtocol } from './tslab-protocol.js';
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
 * Makes a value render itself richly as a cell's last expression, in both kernels — also values
 * the helper would not recognise on its own (a class instance with a bundle). Run results,
 * errors, fan-out results and records need no `rich()` once the helper is imported: a bare
 * value renders the same (see bare-value.ts). Elsewhere the value prints as its text form.
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
  // Deno: its kernel's formatter asks this for the execute_result (bare-value.ts's hook answers
  // first for what it recognises, with the same bundle).
  Object.defineProperty(value, denoDisplay, { value: bundle, enumerable: false, configurable: true });
  Object.defineProperty(value, nodeInspect, {
    // tslab console.log's a cell's value: under the completed protocol it is caught before this
    // is asked (an execute_result); the cell that imported the helper still runs under tslab's
    // own protocol: a display. Outside a kernel, the text form.
    value: (depth: number, options: object) => {
      if (detectKernel() === 'plain') return bundle()['text/plain'];
      if (detectKernel() !== 'tslab') return inspect({ ...value }, { ...options, depth });
      return tslabDisplay(bundle() as Record<string, string>) ? '' : bundle()['text/plain'];
    },
    enumerable: false,
    configurable: true,
  });
  return value;
}
