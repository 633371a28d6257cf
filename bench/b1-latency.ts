import { runTool } from '@tooldock/core';
import { docker } from './cli.js';
import { RawEngine } from './raw-engine.js';
import { interleaved, median } from './stats.js';
import type { BenchContext, BenchRow } from './types.js';

/** B1: per-call latency of `true` in busybox — runTool vs the raw API floor vs `docker run --rm`. */
export async function latency({ images, smoke }: BenchContext): Promise<BenchRow[]> {
  const image = images.busybox;
  const raw = new RawEngine();
  const rounds = smoke ? 3 : 30;
  const rows: BenchRow[] = [];
  for (const network of ['none', 'default'] as const) {
    const mode = network === 'none' ? 'none' : 'default';
    const times = await interleaved(rounds, {
      runTool: async () => void (await runTool(image, ['true'], [], { network: mode })),
      floor: async () => void (await raw.run(image, ['true'], mode)),
      cli: async () => void (await docker(['run', '--rm', ...(network === 'none' ? ['--network', 'none'] : []), image, 'true'])),
    });
    const [ours, floor, cli] = [median(times.runTool!), median(times.floor!), median(times.cli!)];
    rows.push({
      id: `B1-${network}`,
      what: `runTool(busybox, ['true']) per call, network ${network} (${rounds} interleaved rounds, medians)`,
      figures: { runToolMs: ours, floorMs: floor, cliMs: cli },
      ratios: { vsFloor: ours / floor, vsCli: ours / cli },
      targets: network === 'none' ? { vsFloor: 1.05 } : { vsFloor: 1.05, vsCli: 0.8 },
    });
  }
  return rows;
}
