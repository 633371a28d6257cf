import { runMany } from '@tooldock/core';
import { shell } from './cli.js';
import { interleaved, median } from './stats.js';
import type { BenchContext, BenchRow } from './types.js';

/** B2: N tiny tasks at concurrency 1/2/4/8 — runMany (fresh containers, and with `reuse: true`) vs `xargs -P N docker run --rm`. */
export async function fanOut({ images, smoke }: BenchContext, only?: { tasks: number; levels: number[] }): Promise<BenchRow[]> {
  const tasks = only?.tasks ?? (smoke ? 8 : 120);
  const levels = only?.levels ?? (smoke ? [2] : [1, 2, 4, 8]);
  const rows: BenchRow[] = [];
  for (const concurrency of levels) {
    const times = await interleaved(1, {
      runMany: async () => {
        await runMany(
          Array.from({ length: tasks }, (_, i) => ({ image: images.busybox, args: ['echo', String(i)] })),
          { concurrency },
        );
      },
      reuse: async () => {
        await runMany(
          Array.from({ length: tasks }, (_, i) => ({ image: images.busybox, args: ['echo', String(i)] })),
          { concurrency, reuse: true },
        );
      },
      xargs: async () => {
        const code = await shell(`seq 1 ${tasks} | xargs -P ${concurrency} -I{} docker run --rm --network none ${images.busybox} echo {}`);
        if (code !== 0) throw new Error(`xargs docker run exited ${code}`);
      },
    });
    const ours = median(times.runMany!);
    const reuse = median(times.reuse!);
    const xargs = median(times.xargs!);
    rows.push({
      id: `B2-c${concurrency}`,
      what: `${tasks} tiny tasks at concurrency ${concurrency}: runMany (and with reuse: true) vs xargs -P ${concurrency} docker run --rm (tasks/s)`,
      figures: { runManyTasksPerS: tasks / (ours / 1000), reuseTasksPerS: tasks / (reuse / 1000), xargsTasksPerS: tasks / (xargs / 1000) },
      ratios: { speedupVsXargs: xargs / ours, reuseSpeedupVsXargs: xargs / reuse },
      targets: { speedupVsXargs: 1.3, reuseSpeedupVsXargs: 1.5 },
      higherIsBetter: true,
    });
  }
  return rows;
}
