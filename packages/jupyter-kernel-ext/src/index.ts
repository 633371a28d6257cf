import { detectKernel } from './kernel.js';
import { installTslabProtocol } from './tslab-protocol.js';

export { show, rich, bundleOf } from './show.js';
export { dataBundle } from './data-bundle.js';
export { htmlReport, type HtmlReport } from './html-report.js';
export { liveProgress, type LiveProgress } from './live-progress.js';
export { cancelOnInterrupt } from './interrupt.js';
export { detectKernel, type Kernel } from './kernel.js';
export { resultBundle, errorBundle, plainErrorBundle, outcomesBundle, progressBundle, type MimeBundle, type HtmlBundle } from './render.js';

// Under tslab, importing the helper completes the kernel's protocol (execution counts, cell
// values as results, errors nbconvert can name) from the next cell on: see tslab-protocol.ts.
if (detectKernel() === 'tslab') installTslabProtocol();
