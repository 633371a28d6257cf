// `@tooldock/core/cache`: the result cache (docs/cache.md) — switch it on for every call,
// see what it holds, prune it. `runTool(…, { cache: true })` needs nothing from here.
export { configure, type ToolDockDefaults } from '../cache/configure.js';
export type { CacheOption, InputMode } from '../cache/cache-settings.js';
export { cacheInfo, pruneCache, type CacheInfo, type PruneOptions } from '../cache/manage-cache.js';
