import { cacheLayer } from './cache-layer.js';
import { recordLayer } from './record-layer.js';
import { retryLayer } from './retry-layer.js';
import type { RunLayer } from './run-layer.js';

/**
 * The layers around every run (runTool, runMany tasks, recipes, session calls), outermost
 * first: retries, then the run record, then the cache.
 */
export const runLayers: RunLayer[] = [retryLayer, recordLayer, cacheLayer];
