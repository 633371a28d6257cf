/** Which notebook kernel runs this code, if any. */
export type Kernel = 'deno' | 'tslab' | 'plain';

interface DenoJupyter {
  display(bundle: Record<string, unknown>, options?: { raw?: boolean; update?: boolean; display_id?: string }): Promise<void>;
}

/** Deno's Jupyter API, or undefined. `Deno.jupyter` throws outside the kernel: ask carefully. */
export function denoJupyter(): DenoJupyter | undefined {
  try {
    const deno = (globalThis as { Deno?: { jupyter?: DenoJupyter } }).Deno;
    return deno?.jupyter;
  } catch {
    return undefined;
  }
}

/**
 * Detects the kernel without throwing: Deno's Jupyter kernel, tslab, or neither. tslab announces
 * itself to the code it runs as `globalThis.__tslab__` (its `exports` and `require`).
 *
 * @example
 * ```ts
 * if (detectKernel() === 'deno') console.log('rich output available');
 * ```
 */
export function detectKernel(): Kernel {
  if (denoJupyter()) return 'deno';
  if ((globalThis as { __tslab__?: unknown }).__tslab__) return 'tslab';
  return 'plain';
}

/**
 * Deno's kernel resolves `display()` once the message is queued and reports the cell idle a few
 * milliseconds after it ends; under load the message can then trail the idle status, and
 * headless runners (nbconvert, papermill) drop it. Awaited after a last display, this short
 * pause lets it go out first.
 */
export function letDenoSend(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 30));
}
