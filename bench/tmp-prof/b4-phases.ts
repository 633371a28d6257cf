import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { execSync } from 'node:child_process';
import { runTool } from '@tooldock/core';
import { copyModeResolver, setPathResolver } from '@tooldock/core/advanced';

const img = 'tooldock-test/busybox:d4a3125e9117';
const dir = '/tmp/copyw/b4';
rmSync(dir, { recursive: true, force: true });
mkdirSync(join(dir, 'in'), { recursive: true });
mkdirSync(join(dir, 'out'));
const mb = Number(process.env.MB ?? 500);
const buf = Buffer.alloc(mb * 2 ** 20);
for (let i = 0; i < mb; i++) randomBytes(2 ** 20).copy(buf, i * 2 ** 20);
writeFileSync(join(dir, 'in/big.bin'), buf);
setPathResolver(copyModeResolver);
for (let round = 0; round < Number(process.env.ROUNDS ?? 2); round++) {
  rmSync(join(dir, 'out/big.bin'), { force: true });
  const t: Record<string, number> = {};
  const t0 = performance.now();
  await runTool(img, ['cp', '/in/big.bin', '/out/big.bin'], [{ path: join(dir, 'in'), target: '/in' }, { path: join(dir, 'out'), target: '/out', write: true }], {
    onEvent: (e) => { t[e.type] ??= performance.now() - t0; },
  });
  const total = performance.now() - t0;
  const put = t['container:started']! - t['container:created']!;
  const get = (t['container:removed'] ?? total) - t['container:exited']!;
  const c0 = performance.now();
  execSync(`set -e; cid=$(docker create --network none ${img} sh -c 'mkdir -p /out && cp /big.bin /out/big.bin'); s=$(date +%s%N); docker cp -q ${dir}/in/big.bin $cid:/big.bin; a=$(date +%s%N); docker start -a $cid; b=$(date +%s%N); docker cp -q $cid:/out/big.bin ${dir}/out/cli.bin; c=$(date +%s%N); docker rm -f $cid >/dev/null; echo "cli put $(( (a-s)/1000000 )) run $(( (b-a)/1000000 )) get $(( (c-b)/1000000 ))" >&2`, { stdio: 'inherit', shell: '/bin/bash' });
  const cli = performance.now() - c0;
  rmSync(join(dir, 'out/cli.bin'), { force: true });
  console.log(JSON.stringify({ total: Math.round(total), created: Math.round(t['container:created']!), put: Math.round(put), run: Math.round(t['container:exited']! - t['container:started']!), get: Math.round(get), cli: Math.round(cli), size: statSync(join(dir, 'out/big.bin')).size }));
}
