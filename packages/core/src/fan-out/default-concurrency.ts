import type { Engine } from '../backends/engine.js';
import { kindOf } from '../backends/registry.js';

/**
 * How many runs at once by default: where the tools run decides (a daemon's CPUs, not the
 * notebook's; a cluster partition's usable CPUs). Each runtime says (its kind's
 * `defaultConcurrency`).
 */
export function defaultConcurrency(engine: Engine): Promise<number> {
  return kindOf(engine).defaultConcurrency(engine);
}
