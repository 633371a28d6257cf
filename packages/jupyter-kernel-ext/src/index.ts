import { installDenoResults } from './deno-results.js';
import { keepKernelOnInterrupt } from './interrupt.js';
import { detectKernel } from './kernel.js';
import { installShortStacks } from './short-stacks.js';
import { installTslabProtocol } from './tslab-protocol.js';

export { show, rich, bundleOf } from './show.js';
export { dataBundle } from './data-bundle.js';
export { htmlReport, type HtmlReport } from './html-report.js';
export { liveProgress, type LiveProgress } from './live-progress.js';
export { cancelOnInterrupt, keepKernelOnInterrupt } from './interrupt.js';
export { detectKernel, type Kernel } from './kernel.js';
export { resultBundle, errorBundle, plainErrorBundle, outcomesBundle, progressBundle, type MimeBundle, type HtmlBundle } from './render.js';

export { bareValueBundle } from './bare-value.js';

// Importing the helper in a kernel: bare values render rich (Deno: deno-results.ts; tslab, from
// the next cell on, with the rest of its protocol completed: tslab-protocol.ts), and Stop
// cancels tooldock's containers and keeps the kernel (interrupt.ts).
const kernel = detectKernel();
if (kernel === 'tslab') installTslabProtocol();
if (kernel === 'deno') {
  installDenoResults();
  installShortStacks();
}
if (kernel !== 'plain') keepKernelOnInterrupt();
