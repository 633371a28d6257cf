import { execFile } from 'node:child_process';
import { openSync, closeSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { docker } from './cli.js';
import { median } from './stats.js';
import type { BenchContext, BenchRow } from './types.js';

const child = fileURLToPath(new URL('./b3-child.mjs', import.meta.url));

/** B3: stdout of 1 GiB into a file — runTool (own process, peak RSS) vs `docker run … > file`. */
export async function streaming({ images, smoke, scratch }: BenchContext): Promise<BenchRow[]> {
  const bytes = smoke ? 64 * 1024 ** 2 : 1024 ** 3;
  const rounds = smoke ? 1 : 3;
  const ours: number[] = [];
  const cli: number[] = [];
  let rss = 0;
  for (let i = 0; i < rounds; i++) {
    const oursFile = join(scratch, `b3-ours-${i}`);
    const { stdout } = await promisify(execFile)(process.execPath, [child, images.busybox, String(bytes), oursFile]);
    const report = JSON.parse(stdout) as { ms: number; maxRssMB: number };
    if (statSync(oursFile).size !== bytes) throw new Error('B3: runTool wrote the wrong size');
    ours.push(report.ms);
    rss = Math.max(rss, report.maxRssMB);
    rmSync(oursFile);

    const cliFile = join(scratch, `b3-cli-${i}`);
    const fd = openSync(cliFile, 'w');
    const start = performance.now();
    await docker(['run', '--rm', '--network', 'none', images.busybox, 'head', '-c', String(bytes), '/dev/zero'], fd);
    cli.push(performance.now() - start);
    closeSync(fd);
    if (statSync(cliFile).size !== bytes) throw new Error('B3: docker CLI wrote the wrong size');
    rmSync(cliFile);
  }
  const mb = bytes / 1024 ** 2;
  const oursMBs = mb / (median(ours) / 1000);
  const cliMBs = mb / (median(cli) / 1000);
  return [
    {
      id: 'B3',
      what: `${mb} MiB of stdout into a file (${rounds} rounds, medians; runTool in its own Node process)`,
      figures: { runToolMBs: oursMBs, cliMBs, peakRssMB: rss },
      ratios: { throughputVsCli: oursMBs / cliMBs },
      targets: { throughputVsCli: 0.9 },
      higherIsBetter: true,
      note: `peak RSS of the runTool process: ${rss.toFixed(0)} MB (target < 150 MB)`,
    },
  ];
}
