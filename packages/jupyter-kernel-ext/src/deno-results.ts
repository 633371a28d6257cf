import { bareValueBundle } from './bare-value.js';
import { letDenoSend } from './kernel.js';

type BroadcastResult = (executionCount: number, result: unknown) => Promise<void>;
interface DenoInternals {
  jupyter?: { broadcastResult?: BroadcastResult };
}
interface DenoGlobal {
  internal: symbol;
  jupyter: { broadcast(type: string, content: Record<string, unknown>): Promise<void> };
}

const installed = Symbol.for('tooldock.jupyter.denoResults');

/**
 * Under Deno's kernel, a cell's value goes through `Deno[Deno.internal].jupyter.broadcastResult`
 * (the kernel looks it up for every cell). Wrapped, a bare run result, error, outcome list or
 * record array becomes the cell's `execute_result` with the same bundle `rich()` shows — one
 * output, no empty `Out[n]:` — and everything else keeps Deno's own formatting.
 * False where this Deno has no such hook (then `rich()` still works through `Jupyter.display`).
 */
export function installDenoResults(): boolean {
  try {
    const deno = (globalThis as { Deno?: DenoGlobal }).Deno;
    const internals = deno ? (deno as unknown as Record<symbol, DenoInternals>)[deno.internal] : undefined;
    const jupyter = internals?.jupyter;
    if (!deno || !jupyter || typeof jupyter.broadcastResult !== 'function') return false;
    if ((jupyter as Record<symbol, unknown>)[installed]) return true;
    const original = jupyter.broadcastResult;
    jupyter.broadcastResult = async (executionCount, result) => {
      const bundle = bareValueBundle(result);
      if (!bundle) return original(executionCount, result);
      await deno.jupyter.broadcast('execute_result', { execution_count: executionCount, data: bundle, metadata: {} });
      // The kernel awaits this before it reports the cell idle, but the message is only queued:
      // headless runners (nbconvert) dropped it behind the idle status. The pause lets it out first.
      await letDenoSend();
    };
    (jupyter as Record<symbol, unknown>)[installed] = true;
    return true;
  } catch {
    return false; // Deno.jupyter throws outside the kernel
  }
}
