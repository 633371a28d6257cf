// npx tsx bench/identity-overhead.ts [rounds]: what giving a mapped uid a passwd entry costs a run
// (docs/identity.md). Interleaved medians of `runTool(busybox, ['true'])` as a uid the image does
// not name (one PUT archive per run, the archive cached after the first), as a uid it names
// (nothing to put), and as the image's own user; then the PUT alone on a created container.
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { accountArchive } from '../packages/core/src/backends/docker/identity/account-archive.js';
import { connect, runTool } from '../packages/core/src/index.js';
import { interleaved, median } from './stats.js';

const rounds = Number(process.argv[2] ?? 30);
const { busybox } = JSON.parse(readFileSync(new URL('../.cache/test-images.json', import.meta.url), 'utf8')) as { busybox: string };

const times = await interleaved(rounds, {
  unnamedUid: async () => void (await runTool(busybox, ['true'], [], { user: '1000:1000' })),
  namedUid: async () => void (await runTool(busybox, ['true'], [], { user: '65534:65534' })),
  imageUser: async () => void (await runTool(busybox, ['true'], [], { user: 'image' })),
});

// The PUT alone, between create and start, as a run makes it.
const engine = connect();
const archive = await accountArchive({
  'etc/passwd': 'root:x:0:0::/root:/bin/sh\ntooldock:x:1000:1000::/tmp:/bin/sh\n',
  'etc/group': 'root:x:0:\ntooldock:x:1000:\n',
});
const puts: number[] = [];
for (let i = 0; i < Math.min(rounds, 15); i++) {
  const id = await engine.containers.create({ Image: busybox, Cmd: ['true'], HostConfig: { NetworkMode: 'none' } });
  try {
    const start = performance.now();
    await engine.containers.putArchive(id, Readable.from([archive]), '/');
    puts.push(performance.now() - start);
  } finally {
    await engine.containers.remove(id);
  }
}

const ms = (values: number[]) => Math.round(median(values));
console.log(
  JSON.stringify({
    rounds,
    unnamedUidMs: ms(times.unnamedUid!),
    namedUidMs: ms(times.namedUid!),
    imageUserMs: ms(times.imageUser!),
    ratio: +(median(times.unnamedUid!) / median(times.namedUid!)).toFixed(3),
    putArchiveMs: ms(puts),
  }),
);
