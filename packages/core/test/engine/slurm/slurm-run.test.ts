import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { connect, InvalidInputError, isToolError, runTool } from '@tooldock/core';
import { testImages } from '#test-support/test-images.js';
import { tempDir } from '#test-support/temp-dir.js';
import { processesWith, testCluster } from '#test-support/slurm-engine.js';

const { busybox } = testImages();
const cluster = testCluster();

describe('runTool on a Slurm cluster', () => {
  it('runs the tool as a job, with its exit code, output and the caller as user', async () => {
    const dir = tempDir('slurm-run');
    const events: string[] = [];
    const result = await runTool(busybox, ['sh', '-c', 'echo out; echo err >&2; id -u; exit 3'], [dir], {
      engine: cluster,
      reject: false,
      onEvent: (e) => e.type === 'job:state' && events.push(e.state),
    });
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toBe(`out\n${process.getuid!()}\n`);
    expect(result.stderr).toBe('err\n');
    // A single run is an srun: its first state is its step's start.
    expect(events[0]).toBe('RUNNING');
  });

  it("gives the tool its variables as they are, through a private file: never on a node's command line; refuses what a file cannot carry", async () => {
    const secret = `s3cret-docker-node-${Date.now()}`;
    const seen: string[] = [];
    const watching = setInterval(() => seen.push(...processesWith(secret)), 50);
    const result = await runTool(busybox, ['sh', '-c', 'echo "$TOKEN|$QUOTED|$SPACES|"; sleep 2'], [], {
      engine: cluster,
      env: { TOKEN: secret, QUOTED: '\'q\' "d" $x=y', SPACES: '  a b  ' },
    }).finally(() => clearInterval(watching));
    expect(result.stdout).toBe(`${secret}|'q' "d" $x=y|  a b  |\n`);
    expect(seen).toEqual([]);
    expect(() => runTool(busybox, ['true'], [], { engine: cluster, env: { PEM: 'line 1\nline 2' } })).toThrow(InvalidInputError);
  });

  it('streams lines while the job runs', async () => {
    const run = runTool(busybox, ['sh', '-c', 'echo first; sleep 3; echo second'], [], { engine: cluster });
    const seen: Array<{ line: string; done: boolean }> = [];
    let done = false;
    void run.then(
      () => (done = true),
      () => (done = true),
    );
    for await (const { line } of run.lines()) seen.push({ line, done });
    await run;
    expect(seen.map((s) => s.line)).toEqual(['first', 'second']);
    expect(seen[0]!.done).toBe(false);
  });

  it('feeds stdin', async () => {
    const result = await runTool(busybox, ['sh', '-c', 'cat; echo .'], [], { engine: cluster, stdin: 'a\nb\n' });
    expect(result.stdout).toBe('a\nb\n.\n');
  });

  it('hides the spool directory from a tool that mounts its parent (it holds what the nodes execute)', async () => {
    const home = tempDir('slurm-home');
    const engine = connect({ slurm: { runtime: 'docker', spoolDir: join(home, 'spool') } });
    const result = await runTool(busybox, ['sh', '-c', `ls -A ${home}/spool; touch ${home}/spool/planted && echo wrote`], [`${home}:rw`], { engine });
    expect(result.stdout).toBe('wrote\n'); // an empty directory (tmpfs), and the write stayed in it
    expect(readdirSync(join(home, 'spool'))).not.toContain('planted');
    expect(readdirSync(join(home, 'spool')).length).toBeGreaterThan(0); // the real spool was there all along
  });

  it("a submission Slurm refuses is a ToolError with srun's reason", async () => {
    const engine = connect({ slurm: { runtime: 'docker', partition: 'nosuch', spoolDir: tempDir('slurm-spool') } });
    const error = await runTool(busybox, ['true'], [], { engine }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isToolError(error)).toBe(true);
    expect((error as Error).message).toMatch(/invalid partition/i);
  });

  it('fails with a ToolError naming the exit code', async () => {
    const error = await runTool(busybox, ['sh', '-c', 'echo boom >&2; exit 5'], [], { engine: cluster }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isToolError(error)).toBe(true);
    expect(error).toMatchObject({ exitCode: 5, stderrTail: expect.stringContaining('boom') });
  });
});
