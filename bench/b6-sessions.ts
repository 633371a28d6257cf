import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTool, toolSession } from '@tooldock/core';
import { docker } from './cli.js';
import { interleaved, median } from './stats.js';
import type { BenchContext, BenchRow } from './types.js';

/**
 * B6: per-call latency of `samtools view -c <bam> <region>` on a small indexed BAM — a warm
 * session call vs runTool vs `docker run --rm` vs `docker exec` into a running container.
 */
export async function sessions({ images, smoke, scratch }: BenchContext): Promise<BenchRow[]> {
  const image = images.bio;
  const bam = await smallBam(image, scratch, smoke ? 2_000 : 20_000);
  const rounds = smoke ? 3 : 200;
  const region = (i: number) => `chr1:${1 + (i % 90) * 1000}-${(i % 90) * 1000 + 5000}`;
  const args = (i: number) => ['samtools', 'view', '-c', bam, region(i)];
  await using session = await toolSession(image, [scratch]);
  // The CLI's own warm container, as a user would keep one for `docker exec`.
  const warm = `tooldock-bench-b6-${process.pid}`;
  await docker([
    'run',
    '-d',
    '--rm',
    '--name',
    warm,
    '--network',
    'none',
    '-v',
    `${scratch}:${scratch}:ro`,
    '--user',
    `${process.getuid!()}:${process.getgid!()}`,
    image,
    'sleep',
    'infinity',
  ]);
  try {
    let i = 0;
    const times = await interleaved(rounds, {
      session: async () => void (await session.run(args(i++))),
      runTool: async () => void (await runTool(image, args(i++), [scratch])),
      cliRun: async () =>
        void (await docker([
          'run',
          '--rm',
          '--network',
          'none',
          '-v',
          `${scratch}:${scratch}:ro`,
          '--user',
          `${process.getuid!()}:${process.getgid!()}`,
          image,
          ...args(i++),
        ])),
      cliExec: async () => void (await docker(['exec', warm, ...args(i++)])),
    });
    const [ours, fresh, cliRun, cliExec] = ['session', 'runTool', 'cliRun', 'cliExec'].map((k) => median(times[k]!)) as [
      number,
      number,
      number,
      number,
    ];
    return [
      {
        id: 'B6',
        what: `samtools view -c <bam> <region> per call (${rounds} interleaved rounds, medians): session call vs runTool, docker run --rm, docker exec`,
        figures: { sessionMs: ours, runToolMs: fresh, cliRunMs: cliRun, cliExecMs: cliExec },
        ratios: { vsCliRun: ours / cliRun, vsCliExec: ours / cliExec, vsRunTool: ours / fresh },
        targets: { vsCliRun: 0.3, vsCliExec: 1.2 },
      },
    ];
  } finally {
    await docker(['rm', '-f', warm]);
  }
}

/** A coordinate-sorted, indexed BAM of `reads` synthetic 50-bp reads on a 100 kb chr1. */
async function smallBam(image: string, dir: string, reads: number): Promise<string> {
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const lines = ['@HD\tVN:1.6\tSO:unsorted', '@SQ\tSN:chr1\tLN:100000'];
  const bases = 'ACGT';
  for (let r = 0; r < reads; r++) {
    const pos = 1 + Math.floor(random() * 99_900);
    const seq = Array.from({ length: 50 }, () => bases[Math.floor(random() * 4)]).join('');
    lines.push(`read${r}\t0\tchr1\t${pos}\t60\t50M\t*\t0\t0\t${seq}\t${'I'.repeat(50)}`);
  }
  const sam = join(dir, 'b6.sam');
  const bam = join(dir, 'b6.bam');
  writeFileSync(sam, `${lines.join('\n')}\n`);
  await runTool(image, ['sh', '-c', `samtools sort -o ${bam} ${sam} && samtools index ${bam}`], [`${dir}:rw`]);
  return bam;
}
