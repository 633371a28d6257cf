import { createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { runTool } from '@tooldock/core';
import { copyModeResolver, setPathResolver } from '@tooldock/core/advanced';
import { shell } from './cli.js';
import { interleaved, median } from './stats.js';
import type { BenchContext, BenchRow } from './types.js';

/**
 * B4: copy mode (no shared filesystem) — a file in with putArchive and back with getArchive
 * around a `cp` in the tool, vs the docker CLI doing the same with `docker cp` both ways. Both
 * against the local daemon, so the figures are the copying, not a network.
 */
export async function copyMode({ images, smoke, scratch }: BenchContext): Promise<BenchRow[]> {
  const mb = smoke ? 20 : 500;
  const input = join(scratch, 'b4-in');
  const output = join(scratch, 'b4-out');
  mkdirSync(input);
  mkdirSync(output);
  await writeRandomFile(join(input, 'big.bin'), mb);
  const outFile = join(output, 'big.bin');
  let peakRss = 0;
  const previous = setPathResolver(copyModeResolver);
  try {
    const times = await interleaved(smoke ? 1 : 3, {
      ours: async () => {
        rmSync(outFile, { force: true });
        const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
        try {
          await runTool(
            images.busybox,
            ['cp', '/in/big.bin', '/out/big.bin'],
            [
              { path: input, target: '/in' },
              { path: output, target: '/out', write: true },
            ],
          );
        } finally {
          clearInterval(sampler);
        }
        if (statSync(outFile).size !== mb * 2 ** 20) throw new Error('B4: copy mode brought back the wrong size');
      },
      dockerCp: async () => {
        rmSync(outFile, { force: true });
        const code = await shell(`set -e
          cid=$(docker create --network none ${images.busybox} sh -c 'mkdir -p /out && cp /big.bin /out/big.bin')
          trap 'docker rm -f $cid >/dev/null' EXIT
          docker cp -q ${input}/big.bin $cid:/big.bin
          docker start -a $cid
          docker cp -q $cid:/out/big.bin ${outFile}`);
        if (code !== 0 || statSync(outFile).size !== mb * 2 ** 20) throw new Error(`B4: docker cp round trip failed (${code})`);
      },
    });
    const ours = median(times.ours!);
    const cli = median(times.dockerCp!);
    return [
      {
        id: 'B4',
        what: `${mb} MB in and out of a tool in copy mode (putArchive/getArchive) vs docker create + docker cp in + start + docker cp out`,
        figures: { oursS: ours / 1000, dockerCpS: cli / 1000, oursMBps: (2 * mb) / (ours / 1000), peakRssMB: peakRss / 2 ** 20 },
        ratios: { vsDockerCp: ours / cli },
        targets: { vsDockerCp: 1.1 },
        note: 'peak RSS of the whole bench process while copying: flat, whatever the file size',
      },
    ];
  } finally {
    setPathResolver(previous);
  }
}

async function writeRandomFile(path: string, mb: number): Promise<void> {
  const out = createWriteStream(path);
  const chunk = randomBytes(2 ** 20);
  for (let i = 0; i < mb; i++) {
    // Vary each MiB a little so nothing along the way can deduplicate it.
    chunk.writeUInt32LE(i, 0);
    if (!out.write(Buffer.from(chunk))) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  out.end();
  await finished(out);
}
