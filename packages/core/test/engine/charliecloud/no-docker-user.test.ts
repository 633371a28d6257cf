import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { syntheticDataset } from '@tooldock/recipes';
import { UNPRIVILEGED_USER } from '#test-support/charliecloud-store.js';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

const repo = fileURLToPath(new URL('../../../../../', import.meta.url));
const { bio } = testImages();

/**
 * The README's "No Docker?" quick start, run by a user who is not root and has no Docker at all
 * (DOCKER_HOST names a socket that does not exist), from the shared store converted by the set-up.
 */
const QUICK_START = `
import { connect, runTool } from '@tooldock/core';
const image = process.env.IMAGE;
const engine = connect({ runtime: 'charliecloud', images: process.env.STORE });
await runTool(image, ['bwa', 'index', '/ref/ref.fa'], ['/ref:rw'], { engine });
const run = runTool(image, ['bwa', 'mem', '/ref/ref.fa', '/reads/r1.fq'], ['/ref', '/reads'], {
  engine, stdout: { file: '/work/aligned.sam' }, timeoutMs: 3_600_000,
});
let stderrLines = 0;
for await (const { stream } of run.lines()) if (stream === 'stderr') stderrLines++;
const result = await run;
const denied = await runTool(image, ['sh', '-c', 'echo x > /reads/r1.fq'], ['/reads'], { engine, reject: false });
let refused = '';
try { runTool(image, ['true'], [], { engine, memory: '8g' }); } catch (error) { refused = error.name; }
console.log(JSON.stringify({ exitCode: result.exitCode, user: result.user, stderrLines, deniedExit: denied.exitCode, refused, uid: process.getuid() }));
`;

describe('a user without Docker runs the quick start on Charliecloud', () => {
  it.runIf(process.getuid?.() === 0)('as an unprivileged user, no daemon reachable: bwa index + mem, output owned by that user', () => {
    const root = tempDir('ch-nodocker');
    for (const sub of ['ref', 'reads', 'work']) spawnSync('mkdir', [join(root, sub)]);
    const data = syntheticDataset({ seed: 3, contigs: { chr1: 3000 }, pairs: 50 });
    writeFileSync(join(root, 'ref', 'ref.fa'), data.fasta);
    writeFileSync(join(root, 'reads', 'r1.fq'), data.reads1);
    const script = join(root, 'quick-start.mts');
    // The source of @tooldock/core (this checkout); the paths of the README under this test's directory.
    const text = QUICK_START.replaceAll("'/ref", `'${root}/ref`)
      .replaceAll("'/reads", `'${root}/reads`)
      .replaceAll("'/work", `'${root}/work`)
      .replaceAll(' /reads/', ` ${root}/reads/`);
    writeFileSync(script, text.replace("'@tooldock/core'", `'${repo}packages/core/src/index.ts'`));
    spawnSync('chown', ['-R', UNPRIVILEGED_USER, join(root, 'ref'), join(root, 'work')]);
    chmodSync(root, 0o755);
    const env = [`STORE=${inject('charliecloudStore')}`, `IMAGE=${bio}`, 'DOCKER_HOST=unix:///nonexistent/docker.sock', `TOOLDOCK_HOME=${root}/home`];
    const out = spawnSync('su', [UNPRIVILEGED_USER, '-s', '/bin/sh', '-c', `cd ${repo} && env ${env.join(' ')} node_modules/.bin/tsx ${script}`], {
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(out.stderr).not.toMatch(/Error/);
    const report = JSON.parse(out.stdout.trim().split('\n').at(-1)!);
    const uid = Number(spawnSync('id', ['-u', UNPRIVILEGED_USER], { encoding: 'utf8' }).stdout);
    expect(report).toEqual({
      exitCode: 0,
      user: `${uid}:${uid}`,
      stderrLines: expect.any(Number),
      deniedExit: 2 /* dash: the redirection failed (read-only) */,
      refused: 'InvalidInputError',
      uid,
    });
    expect(report.stderrLines).toBeGreaterThan(0);
    const sam = spawnSync('cat', [join(root, 'work', 'aligned.sam')], { encoding: 'utf8' }).stdout;
    expect(sam.split('\n').filter((l) => l && !l.startsWith('@')).length).toBe(50);
    expect(spawnSync('cat', [join(root, 'reads', 'r1.fq')], { encoding: 'utf8' }).stdout).toBe(data.reads1);
    expect(spawnSync('stat', ['-c', '%u', join(root, 'work', 'aligned.sam')], { encoding: 'utf8' }).stdout.trim()).toBe(String(uid));
  });
});
