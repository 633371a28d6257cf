// `@tooldock/core/advanced`: hooks for wrappers (recipes), tests and custom topologies. The root
// export (index.ts) is what a notebook needs; nothing here is required to run a tool.

// The mount seam: how a run's paths reach the daemon (forced in tests, replaced for new topologies).
export { setPathResolver, sameHostResolver, type PathResolver, type MountPlan } from './backends/docker/transfer/path-resolver.js';
export type { LocalMount } from './api/mount-spec.js';
export { copyModeResolver } from './backends/docker/copy-mode/copy-resolver.js';
export { copyModeReason } from './backends/docker/transfer/copy-mode-reason.js';

// Where this process runs (the DooD detection behind resolveHostPath and doctor).
export { locateSelf, type SelfLocation } from './backends/docker/dood/detect-self.js';
export type { OwnMount } from './backends/docker/dood/mount-table.js';

// Validation building blocks, so a wrapper's errors name its own fields (`samtools.view.run.cpus`).
export { parseOrThrow } from './errors/invalid-input-error.js';
export { RunOptionsSchema } from './api/options.js';
export { imageReferenceProblem, ImageReferenceSchema } from './api/image-reference.js';

// Hidden temp names: outputs appear under their name only when complete.
export { hiddenTempName, partialPrefix } from './util/hidden-temp-name.js';

// For programs with their own exit handling (tooldock's signal handlers already do this).
export { removeLiveContainers } from './shutdown/remove-live-containers.js';
