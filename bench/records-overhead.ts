// npx tsx bench/records-overhead.ts: what leaving a run record costs a call, beside a real run.
// The record layer wraps a step that returns at once, so its own time (stat of the mounts and
// sinks, one O_APPEND line, awaited before the call settles) is all that is measured; then the
// same machine's real `runTool(busybox, ['true'])` gives the scale.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordLayer } from '../packages/core/src/layers/record-layer.js';
import { prepareRun, runTool } from '../packages/core/src/api/run-tool.js';
import type { RunResult } from '../packages/core/src/api/run-result.js';
import { median } from './stats.js';

const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.95)]!;

const scratch = mkdtempSync(join(tmpdir(), 'tooldock-records-bench-'));
process.env.TOOLDOCK_HOME = join(scratch, 'home');
const { busybox } = JSON.parse(readFileSync(new URL('../.cache/test-images.json', import.meta.url), 'utf8')) as { busybox: string };
try {
  mkdirSync(join(scratch, 'in'));
  mkdirSync(join(scratch, 'out'));
  writeFileSync(join(scratch, 'in', 'r.fq'), 'ACGT\n');
  const spec = prepareRun(busybox, ['true'], [join(scratch, 'in'), `${join(scratch, 'out')}:rw`], { stdout: { file: join(scratch, 'out', 'x') } });
  const result = { exitCode: 0, failed: false, mounts: [], args: ['true'], image: busybox } as unknown as RunResult;
  const step = recordLayer(async () => result);
  const channels = {} as Parameters<typeof step>[1];
  for (let i = 0; i < 50; i++) await step(spec, channels, { attempt: 1 }); // warm up
  const recordMs: number[] = [];
  for (let i = 0; i < 500; i++) {
    const start = performance.now();
    await step(spec, channels, { attempt: 1 });
    recordMs.push(performance.now() - start);
  }
  const runMs: number[] = [];
  for (let i = 0; i < 15; i++) {
    const start = performance.now();
    await runTool(busybox, ['true']);
    runMs.push(performance.now() - start);
  }
  const r = median(recordMs);
  console.log(`record per call: median ${r.toFixed(3)} ms, p95 ${p95(recordMs).toFixed(3)} ms (500 calls)`);
  console.log(`runTool(busybox, ['true']) with its record: median ${median(runMs).toFixed(1)} ms (15 runs)`);
  console.log(`record share of a run: ${((100 * r) / median(runMs)).toFixed(2)} %`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
