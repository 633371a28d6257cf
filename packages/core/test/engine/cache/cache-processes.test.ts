import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestRegistry } from '#test-support/registry.js';
import { busybox, workFolder } from './cache-fixture.js';

const run = promisify(execFile);
const child = fileURLToPath(new URL('./cached-call.child.mts', import.meta.url));
const tsx = fileURLToPath(new URL('../../../../../node_modules/.bin/tsx', import.meta.url));

/** The same cached call, made by two processes at once; what each saw (its cache verdict and warnings too). */
async function twoProcesses(image: string, env: NodeJS.ProcessEnv = process.env) {
  const f = workFolder('processes');
  const barrier = join(f.dir, 'barrier');
  mkdirSync(barrier);
  const outcomes = await Promise.all(
    [0, 1].map(async () => {
      const { stdout, stderr } = await run(tsx, [child, image, f.out, f.cache, barrier], { timeout: 90_000, env });
      const seen = JSON.parse(stdout.trim().split('\n').at(-1)!) as { containers: number; cached: boolean; stdout: string };
      return { ...seen, stderr };
    }),
  );
  return { outcomes, runs: readFileSync(join(f.out, 'runs.txt'), 'utf8') };
}

function expectOneRun({ outcomes, runs }: Awaited<ReturnType<typeof twoProcesses>>): void {
  // A failure shows what each process saw: the cause, not only the count.
  const seen = JSON.stringify(outcomes, null, 1);
  expect(outcomes.map((o) => o.containers).sort(), seen).toEqual([0, 1]);
  expect(outcomes.map((o) => o.cached).sort(), seen).toEqual([false, true]);
  expect(outcomes.map((o) => o.stdout)).toEqual(['done\n', 'done\n']);
  expect(runs).toBe('once\n');
}

describe('result cache across processes', () => {
  const registry = new TestRegistry();
  beforeAll(() => registry.start(), 60_000);
  afterAll(() => registry.stop());

  it('two processes making the same call at once run the tool once (a lock per call)', async () => {
    expectOneRun(await twoProcesses(busybox));
  });

  it('also when the image is not on the daemon yet: one process pulls and runs it, the other waits and is served', async () => {
    const reference = registry.push(busybox, `cache-lock/busybox:${randomBytes(4).toString('hex')}`);
    try {
      expectOneRun(await twoProcesses(reference, { ...process.env, DOCKER_CONFIG: registry.pushConfig }));
    } finally {
      execFileSync('docker', ['rmi', '-f', reference], { stdio: 'ignore' });
    }
  });
});
