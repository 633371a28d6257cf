import type { RunLayer } from './run-layer.js';

/**
 * The layers around every run (runTool, runMany tasks, recipes, session calls), outermost
 * first: retries, then the run record, then the cache.
 */
export const runLayers: RunLayer[] = [];
