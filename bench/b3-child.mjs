// Child process for B3: one runTool streaming `bytes` of stdout into a file; reports time and peak RSS.
import { runTool } from '../packages/core/dist/index.js';

const [image, bytes, file] = process.argv.slice(2);
const start = performance.now();
await runTool(image, ['head', '-c', bytes, '/dev/zero'], [], { stdout: { file } });
const ms = performance.now() - start;
console.log(JSON.stringify({ ms, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
