export { show, rich, bundleOf } from './show.js';
export { liveProgress, type LiveProgress } from './live-progress.js';
export { cancelOnInterrupt } from './interrupt.js';
export { detectKernel, type Kernel } from './kernel.js';
export { resultBundle, errorBundle, outcomesBundle, progressBundle, type MimeBundle } from './render.js';
