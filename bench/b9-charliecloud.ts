import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { connect, runTool } from '@tooldock/core';
import { interleaved, median } from './stats.js';
import type { BenchContext, BenchRow } from './types.js';

/**
 * B9: one `runTool` on the local Charliecloud engine (no daemon) vs a bare `ch-run IMAGE -- true`
 * on the same image directory, interleaved, medians. The store is the Charliecloud tests' (the
 * busybox image converted once, kept under the temp dir), or `$TOOLDOCK_TEST_CH_STORE`.
 */
export async function charliecloud({ images, smoke }: BenchContext): Promise<BenchRow[]> {
  const store = process.env.TOOLDOCK_TEST_CH_STORE ?? join(tmpdir(), 'tooldock-charliecloud-test-store');
  const engine = connect({ runtime: 'charliecloud', images: store });
  const image = await engine.images.ensure(images.busybox, { pull: 'missing', signal: AbortSignal.timeout(600_000), emit: () => {} });
  const rounds = smoke ? 3 : 30;
  const times = await interleaved(rounds, {
    runTool: async () => void (await runTool(images.busybox, ['true'], [], { engine })),
    chRun: () => bare(['ch-run', image.dir, '--', 'true']),
    sameGuarantees: () => sameGuaranteesByHand(image.dir),
  });
  const [ours, chRun, byHand] = [median(times.runTool!), median(times.chRun!), median(times.sameGuarantees!)];
  return [
    {
      id: 'B9-charliecloud',
      what: `runTool(busybox, ['true'], [], { engine: connect({ runtime: 'charliecloud' }) }) vs a bare \`ch-run <image dir> -- true\` (${rounds} interleaved rounds, medians)`,
      figures: { runToolMs: ours, chRunMs: chRun, sameGuaranteesByHandMs: byHand, overheadMs: ours - chRun },
      ratios: { vsChRun: ours / chRun, vsSameGuaranteesByHand: ours / byHand },
      targets: { vsChRun: 1.1, vsSameGuaranteesByHand: 1.1 },
      note: 'runTool gives what bare ch-run does not: a network namespace of its own (network "none"), a pid namespace ending the whole tree, death with its parent (setpriv --pdeathsig), a clean environment whose values are in a private file, not the command line; sameGuaranteesByHand is that command line spawned directly, its file written and removed around it',
    },
  ];
}

/** {@link sameGuarantees}, its variables in a private file written before and removed after, as runTool does. */
async function sameGuaranteesByHand(imageDir: string): Promise<void> {
  const envFile = join(tmpdir(), `tooldock-bench-${process.pid}-${randomBytes(3).toString('hex')}.env`);
  writeFileSync(envFile, "HOME='/tmp'\n", { mode: 0o600, flag: 'wx' });
  try {
    await bare(sameGuarantees(imageDir, envFile));
  } finally {
    await rm(envFile, { force: true });
  }
}

/**
 * What runTool runs for `true` without mounts (backends/charliecloud: die-with-parent.ts,
 * ch-run-command.ts), spelled out: setpriv's parent-death signal and the parent check, unshare's
 * user, mount, pid and network namespaces, ch-run as the caller with a cleared environment, the
 * variables from a file (never on the command line).
 */
function sameGuarantees(imageDir: string, envFile: string): string[] {
  const uid = String(process.getuid?.() ?? 0);
  const gid = String(process.getgid?.() ?? 0);
  return [
    'setpriv',
    '--pdeathsig',
    'KILL',
    '/bin/sh',
    '-c',
    '[ "$PPID" = "$1" ] || exit 137; shift; exec "$@"',
    'tooldock-ch-parent',
    String(process.pid),
    'unshare',
    '--user',
    '--map-root-user',
    '--mount',
    '--pid',
    '--fork',
    '--kill-child',
    '--mount-proc',
    '--net',
    'ch-run',
    '--private-tmp',
    `--uid=${uid}`,
    `--gid=${gid}`,
    '--cd=/',
    '--env-no-expand',
    '--unset-env=*',
    `--set-env=${envFile}`,
    imageDir,
    '--',
    'true',
  ];
}

function bare(argv: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore', env: { ...process.env, USER: process.env.USER || userInfo().username } });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${argv.join(' ')} exited ${code}`))));
  });
}
