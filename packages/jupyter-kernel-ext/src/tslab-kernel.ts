import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** tslab's public module: `display` and `newDisplay()`. */
export interface TslabModule {
  display: { html(s: string): void; text(s: string): void };
}

/** tslab's protocol module (dist/jupyter.js): where display messages and executions go through. */
export interface TslabJupyter {
  lastWriteDisplayData: ((content: Record<string, unknown>, update: boolean) => void) | null;
  JupyterHandlerImpl: { prototype: Record<string, unknown> };
  ZmqServer: { prototype: Record<string, unknown> };
}

/**
 * The running kernel's own tslab module — not one resolved from the notebook's folder, which
 * may be another copy or none (tslab installed globally). tslab hands it to cell code through
 * `globalThis.__tslab__.require('tslab')`.
 */
export function tslabModule(): TslabModule | undefined {
  try {
    const hook = (globalThis as { __tslab__?: { require(id: string): unknown } }).__tslab__;
    return hook?.require('tslab') as TslabModule | undefined;
  } catch {
    return undefined;
  }
}

/** A sibling file of the kernel's tslab module (e.g. `jupyter.js`), from the loaded-module cache. */
export function tslabInternal<T>(file: string): T | undefined {
  const publicModule = tslabModule();
  if (!publicModule) return undefined;
  const cache = createRequire(import.meta.url).cache;
  const entry = Object.values(cache).find((m) => m?.exports === publicModule);
  return entry ? (cache[join(dirname(entry.filename), file)]?.exports as T | undefined) : undefined;
}

/**
 * Sends one display message with every MIME type of `bundle` (tslab's own `display.html()`
 * sends HTML alone, with no text for consoles and for nbconvert's text exports). False when
 * tslab's internals are not where this version expects them.
 */
export function tslabDisplay(bundle: Record<string, string>, displayId?: string, update = false): boolean {
  const write = tslabInternal<TslabJupyter>('jupyter.js')?.lastWriteDisplayData;
  if (typeof write !== 'function') return false;
  write({ data: bundle, metadata: {}, transient: displayId ? { display_id: displayId } : {} }, update);
  return true;
}
