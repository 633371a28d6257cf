import type { RunChannels, RunSpec } from '../lifecycle/run-context.js';
import type { RunResult } from '../api/run-result.js';
import type { RunTrace } from './run-trace.js';

/**
 * One way of running a validated request to its result: the container lifecycle
 * (lifecycle/run-container.ts) at the core, wrapped by layers that add behaviour around it without
 * knowing each other — retries outermost, then the run record, then the cache.
 */
export type RunStep = (spec: RunSpec, channels: RunChannels, trace: RunTrace) => Promise<RunResult>;

/** Wraps a step: may call `next` zero times (a cache hit), once, or several times (retries). */
export type RunLayer = (next: RunStep) => RunStep;

/** `layers[0]` is outermost. */
export function composeLayers(layers: RunLayer[], core: RunStep): RunStep {
  return layers.reduceRight<RunStep>((next, layer) => layer(next), core);
}
