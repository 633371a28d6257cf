// `@tooldock/core/images`: pre-pulls, registry credentials and pull progress (docs/images.md).
export { pullImages, type PullImagesOptions, type PulledImage } from '../registry/pull-images.js';
export type { RegistryAuth } from '../registry/registry-auth.js';
export { RegistryAuthError } from '../registry/pull-error.js';
export { formatPullProgress, type PullSummary } from '../registry/pull-progress.js';
