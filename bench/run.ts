// pnpm bench [--smoke] [--only B1,B3]: every figure is a ratio taken side by side in one run.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latency } from './b1-latency.js';
import { fanOut } from './b2-fan-out.js';
import { streaming } from './b3-streaming.js';
import { copyMode } from './b4-copy-mode.js';
import { pipeline } from './b5-pipeline.js';
import { sessions } from './b6-sessions.js';
import { slurm } from './b7-slurm.js';
import { cache } from './b8-cache.js';
import { charliecloud } from './b9-charliecloud.js';
import { machine } from './machine.js';
import type { BenchContext, BenchRow } from './types.js';

const benches: Record<string, (ctx: BenchContext) => Promise<BenchRow[]>> = {
  B1: latency,
  B2: fanOut,
  B3: streaming,
  B4: copyMode,
  B5: pipeline,
  B6: sessions,
  B7: slurm,
  B8: cache,
  B9: charliecloud,
};

const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1]!.split(',') : Object.keys(benches);
const images = JSON.parse(readFileSync(new URL('../.cache/test-images.json', import.meta.url), 'utf8')) as BenchContext['images'];
const scratch = mkdtempSync(join(tmpdir(), 'tooldock-bench-'));

const rows: BenchRow[] = [];
try {
  for (const id of only) {
    const bench = benches[id];
    if (!bench) throw new Error(`unknown bench ${id}; known: ${Object.keys(benches).join(', ')}`);
    process.stderr.write(`[bench] ${id}${smoke ? ' (smoke)' : ''}…\n`);
    rows.push(...(await bench({ images, smoke, scratch })));
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const verdict = (row: BenchRow, key: string) => {
  const target = row.targets[key];
  if (target === undefined) return '';
  const ok = row.higherIsBetter ? row.ratios[key]! >= target : row.ratios[key]! <= target;
  return `${ok ? 'meets' : 'MISSES'} ${row.higherIsBetter ? '≥' : '≤'} ${target}`;
};
const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2));
console.log('| bench | figures | ratio | target |');
console.log('|---|---|---|---|');
for (const row of rows) {
  const figures = Object.entries(row.figures)
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(', ');
  for (const [key, ratio] of Object.entries(row.ratios)) {
    console.log(`| ${row.id} | ${figures} | ${key} ${ratio.toFixed(2)}× | ${verdict(row, key)} |`);
  }
}
const results = { smoke, machine: await machine(), rows };
// A smoke run only proves the benches still work: it must not replace the real figures.
const out = new URL(smoke ? '../.cache/bench-smoke.json' : './results.json', import.meta.url);
mkdirSync(new URL('.', out), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.error(`[bench] wrote ${out.pathname}`);
