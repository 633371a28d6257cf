export { copyModeResolver } from './copy-resolver.js';
export { copyModeReason } from './detect-resolver.js';
