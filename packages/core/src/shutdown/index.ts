export { cleanupOrphans, type OrphanReport } from './cleanup-orphans.js';
export { removeLiveContainers } from './remove-live-containers.js';
