import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JOB_SCRIPT } from '../../../src/backends/slurm/job-script.js';
import { argvFile } from '../../../src/backends/slurm/spool.js';
import { readResult } from '../../../src/backends/slurm/slurm-tool.js';
import { tempDir } from '#test-support/temp-dir.js';

/** A run directory as the backend writes it, its "container" a plain command. */
function runDir(root: string, name: string, run: string[]): string {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'run.argv'), argvFile(run));
  for (const file of ['state.argv', 'rm.argv', 'claim.argv']) writeFileSync(join(dir, file), argvFile(['true']));
  return dir;
}

// The worker loop is bash and files only: run here as the node would, with Slurm's variables set.
describe('the job script as a slot worker (job.sh --worker)', () => {
  it('runs each run directory it reads, one after another, and prints done after each result is written', () => {
    const root = tempDir('job-script-worker');
    const script = join(root, 'job.sh');
    writeFileSync(script, JOB_SCRIPT, { mode: 0o700 });
    const dirs = [
      runDir(root, 'a', ['sh', '-c', 'echo one; echo warn >&2']),
      runDir(root, 'b', ['sh', '-c', 'exit 3']),
      runDir(root, 'c', ['sh', '-c', 'read line; echo "stdin: [$line]"']),
    ];
    const worker = spawnSync('bash', [script, '--worker'], {
      input: dirs.map((d) => `${d}\n`).join(''),
      encoding: 'utf8',
      env: { PATH: process.env.PATH, SLURM_JOB_ID: '7', SLURM_STEP_ID: '2', SLURMD_NODENAME: 'n9' },
    });
    expect(worker.status).toBe(0);
    expect(worker.stdout).toBe('done 0\ndone 0\ndone 0\n');
    expect(dirs.map((d) => readResult(d))).toEqual([
      { exitCode: 0, oom: false, node: 'n9' },
      { exitCode: 3, oom: false, node: 'n9' },
      { exitCode: 0, oom: false, node: 'n9' },
    ]);
    expect(readFileSync(join(dirs[0]!, 'out'), 'utf8')).toBe('one\n');
    expect(readFileSync(join(dirs[0]!, 'err'), 'utf8')).toBe('warn\n');
    // A tool never reads the worker's stdin (the next run directories): its own is empty.
    expect(readFileSync(join(dirs[2]!, 'out'), 'utf8')).toBe('stdin: []\n');
    // Every task marks the worker's step as its own (how it is cancelled).
    for (const dir of dirs) expect(readFileSync(join(dir, 'step'), 'utf8')).toBe('7.2 n9\n');
  });
});
