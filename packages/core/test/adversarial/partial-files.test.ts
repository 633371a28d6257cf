import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { beforeAll, describe, expect, it } from 'vitest';
import { connect, runTool } from '@tooldock/core';
import { buildPackages, repoRoot } from '#test-support/built-packages.js';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();

/**
 * A child process whose tool writes `{ stdout: { file } }` and then hangs; resolves once the tool's
 * first output reached the hidden partial file, with the child's session to clean up after it.
 */
async function childWritingTo(dir: string, target: string, prelude = '') {
  const script = join(dir, 'writer.mjs');
  writeFileSync(
    script,
    [
      prelude,
      `import { runTool } from ${JSON.stringify(join(repoRoot, 'packages/core/dist/index.js'))};`,
      `import { session } from ${JSON.stringify(join(repoRoot, 'packages/core/dist/subpaths/docker.js'))};`,
      'console.log(`SESSION ${session.id}`);',
      `await runTool(${JSON.stringify(busybox)}, ['sh', '-c', 'echo started; sleep 60'], [], { stdout: { file: ${JSON.stringify(target)} } });`,
    ].join('\n'),
  );
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  let session = '';
  for await (const line of createInterface({ input: child.stdout })) {
    session = line.slice('SESSION '.length);
    break;
  }
  const deadline = Date.now() + 60_000;
  while (!partials(dir).some((name) => readFileSync(join(dir, name), 'utf8') === 'started\n')) {
    if (Date.now() > deadline) throw new Error(`no partial file with the tool's output in ${dir}: ${readdirSync(dir).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, session, exited };
}

function partials(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.includes('.partial-'));
}

/** The child's container: its watchdog removes it too, but the test must not leave it to timing. */
async function removeContainersOf(session: string): Promise<void> {
  const docker = connect().docker;
  for (const c of await docker.listContainers({ all: true, filters: { label: [`tooldock.session=${session}`] } })) {
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => {});
  }
}

describe('no .partial-* file outlives the process that wrote it', () => {
  beforeAll(() => buildPackages(), 120_000);

  it("SIGKILL mid-run: the next run to the same path removes the dead writer's partial", async () => {
    const dir = tempDir('partial-kill');
    const target = join(dir, 'out.txt');
    const { child, session, exited } = await childWritingTo(dir, target);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    await removeContainersOf(session);
    expect(partials(dir)).toHaveLength(1); // what a SIGKILL leaves behind

    await runTool(busybox, ['echo', 'second'], [], { stdout: { file: target } });
    expect(readdirSync(dir)).toEqual(['out.txt', 'writer.mjs']);
    expect(readFileSync(target, 'utf8')).toBe('second\n');
  });

  it("a live writer's partial is left alone", async () => {
    const dir = tempDir('partial-live');
    const target = join(dir, 'out.txt');
    const { child, session, exited } = await childWritingTo(dir, target);
    try {
      await runTool(busybox, ['echo', 'second'], [], { stdout: { file: target } });
      expect(partials(dir)).toHaveLength(1);
    } finally {
      child.kill('SIGKILL');
      await exited;
      await removeContainersOf(session);
    }
  });

  it('SIGTERM mid-run: the signal handlers remove the partial before the process dies', async () => {
    const dir = tempDir('partial-term');
    const target = join(dir, 'out.txt');
    const { child, session, exited } = await childWritingTo(dir, target);
    child.kill('SIGTERM');
    expect(await exited).toBe('SIGTERM');
    await removeContainersOf(session);
    expect(readdirSync(dir)).toEqual(['writer.mjs']);
  });

  it('a program that exits on its own SIGTERM handler leaves no partial either', async () => {
    const dir = tempDir('partial-exit');
    const target = join(dir, 'out.txt');
    // A CLI's usual handler: registered before tooldock's, it exits at once.
    const { child, session, exited } = await childWritingTo(dir, target, "process.on('SIGTERM', () => process.exit(143));");
    const code = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    child.kill('SIGTERM');
    await exited;
    expect(await code).toBe(143);
    await removeContainersOf(session);
    expect(readdirSync(dir)).toEqual(['writer.mjs']);
  });
});
