// `@tooldock/core/advanced`: hooks for wrappers (recipes), tests and custom topologies. The root
// export (index.ts) is what a notebook needs; nothing here is required to run a tool.

// The mount seam: how a run's paths reach the daemon (forced in tests, replaced for new topologies).
export { setPathResolver, sameHostResolver, type PathResolver, type MountPlan } from './path-resolver.js';
export type { LocalMount } from './mount-spec.js';
export { copyModeResolver } from './copy-mode/copy-resolver.js';
export { copyModeReason } from './transfer/copy-mode-reason.js';

// Where this process runs (the DooD detection behind resolveHostPath and doctor).
export { locateSelf, type SelfLocation } from './dood/detect-self.js';
export type { OwnMount } from './dood/mount-table.js';

// Validation building blocks, so a wrapper's errors name its own fields (`samtools.view.run.cpus`).
export { parseOrThrow } from './invalid-input-error.js';
export { RunOptionsSchema } from './options.js';
export { imageReferenceProblem, ImageReferenceSchema } from './image-reference.js';

// Hidden temp names: outputs appear under their name only when complete.
export { hiddenTempName, partialPrefix } from './hidden-temp-name.js';

// For programs with their own exit handling (tooldock's signal handlers already do this).
export { removeLiveContainers } from './shutdown/remove-live-containers.js';
