import { describe, expect, it } from 'vitest';
import { connect, InvalidInputError } from '@tooldock/core';
import { RunOptionsSchema } from '@tooldock/core/advanced';
import { thrown } from '#test-support/invalid-input.js';
import { jobFlags } from '../../../src/backends/slurm/job-flags.js';
import { nodeEnvFile, nodeRuntime } from '../../../src/backends/slurm/node-runtime.js';
import { refuseUnfileableEnv } from '../../../src/backends/slurm/node-refusals.js';
import { nodePlan } from '../../../src/backends/slurm/node-plan.js';
import { JOB_SCRIPT } from '../../../src/backends/slurm/job-script.js';
import { readStepMarker } from '../../../src/backends/slurm/job-step.js';
import { readResult } from '../../../src/backends/slurm/slurm-tool.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '#test-support/temp-dir.js';

const options = (o: object) => RunOptionsSchema.parse(o);

describe('Slurm job flags', () => {
  it("maps cpus, memory and timeoutMs (rounded up) and the engine's placement", () => {
    const flags = jobFlags(
      { runtime: 'docker', partition: 'main', account: 'lab', qos: 'short', sbatchArgs: ['--constraint=avx2'] },
      options({ cpus: 1.5, memory: '1.5g', timeoutMs: 61_000 }),
    );
    expect(flags).toEqual([
      '--partition=main',
      '--account=lab',
      '--qos=short',
      '--ntasks=1',
      '--cpus-per-task=2',
      '--mem=1536M',
      '--time=2',
      '--constraint=avx2',
    ]);
  });

  it("uses the engine's time when the run has no timeout", () => {
    expect(jobFlags({ runtime: 'docker', time: '2:00:00' }, options({}))).toEqual(['--ntasks=1', '--cpus-per-task=1', '--time=2:00:00']);
  });
});

describe('the node runtime command lines', () => {
  const plan = nodePlan(
    'tooldock-x',
    'img:1',
    ['sh', '-c', 'echo "$HOME"'],
    [
      { source: { type: 'bind', path: '/data' }, target: '/data', readOnly: true, localPath: '/data' },
      { source: { type: 'bind', path: '/out dir' }, target: '/out', readOnly: false, localPath: '/out dir' },
    ],
    { user: '1000:1000', groups: ['20'], home: '/tmp' },
    { 'tooldock.session': 's' },
    options({ memory: '64m', cpus: 2, env: { A: 'x y' }, stdin: 'in' }),
    { envFile: '/spool/run-1/env' },
  );

  it('docker: the same settings as a local run, each value one argument (never re-parsed)', () => {
    const argv = nodeRuntime('docker').run(plan);
    expect(argv.slice(0, 2)).toEqual(['docker', 'run']);
    expect(argv.slice(-4)).toEqual(['img:1', 'sh', '-c', 'echo "$HOME"']);
    for (const pair of [
      ['--network', 'none'],
      ['--user', '1000:1000'],
      ['--group-add', '20'],
      ['--env-file', '/spool/run-1/env'],
      ['--mount', 'type=bind,source=/data,target=/data,readonly'],
      ['--mount', 'type=bind,source=/out dir,target=/out'],
      ['--memory', String(64 * 2 ** 20)],
      ['--memory-swap', String(64 * 2 ** 20)],
      ['--cpus', '2'],
      ['--security-opt', 'no-new-privileges'],
      ['--cap-drop', 'ALL'],
      ['--pids-limit', '4096'],
      ['--label', 'tooldock.session=s'],
      ['--name', 'tooldock-x'],
    ]) {
      expect(argv.join('\0')).toContain(pair.join('\0'));
    }
    expect(argv).toContain('--interactive');
    // The variables' values go by file: a command line is readable by every user of the node.
    expect(argv.join(' ')).not.toContain('x y');
    expect(nodeEnvFile(plan.env)).toBe('HOME=/tmp\nA=x y\n');
    expect(() => refuseUnfileableEnv({ env: { PEM: 'a\nb' } })).toThrow(/options\.env\.PEM/);
    expect(() => refuseUnfileableEnv({ env: { 'A B': 'x' } })).toThrow(InvalidInputError);
    expect(() => refuseUnfileableEnv({ env: { A: "'quoted' $x=y" } })).not.toThrow();
  });

  it('podman removes without waiting for a stop (the job has only KillWait left)', () => {
    expect(nodeRuntime('podman').remove('c')).toEqual(['podman', 'rm', '--force', '--time', '0', 'c']);
    expect(nodeRuntime('docker').remove('c')).toEqual(['docker', 'rm', '--force', 'c']);
  });

  it('the step marker and the result are read only once their line is complete (one printf each, no rename)', () => {
    const dir = tempDir('slurm-result');
    writeFileSync(join(dir, 'result'), '14');
    expect(readResult(dir)).toBeUndefined();
    writeFileSync(join(dir, 'result'), '143 false n1\n');
    expect(readResult(dir)).toEqual({ exitCode: 143, oom: false, node: 'n1' });
    writeFileSync(join(dir, 'step'), '12.3 n');
    expect(readStepMarker(dir)).toBeUndefined();
    writeFileSync(join(dir, 'step'), '12.3 n2\n');
    expect(readStepMarker(dir)).toEqual({ stepId: '12.3', node: 'n2' });
    expect(JOB_SCRIPT).not.toMatch(/\bmv\b/);
  });

  it('the job script removes the container on TERM and on exit', () => {
    expect(JOB_SCRIPT).toMatch(/trap ended TERM INT HUP/);
    expect(JOB_SCRIPT).toMatch(/trap finish EXIT/);
  });
});

describe('GPUs (not run for real: no GPU on these machines)', () => {
  it('asks Slurm for the count and gives the container exactly the allocated devices', () => {
    expect(jobFlags({ runtime: 'docker' }, options({ gpus: 2 }))).toContain('--gpus=2');
    expect(jobFlags({ runtime: 'docker' }, options({ gpus: ['0', '1', '2'] }))).toContain('--gpus=3');
    expect(() => jobFlags({ runtime: 'docker' }, options({ gpus: 'all' }))).toThrow(/ask for a number of GPUs/);
    const plan = nodePlan('c', 'img', ['nvidia-smi'], [], { user: '1:1', groups: [], home: '/tmp' }, {}, options({ gpus: 1 }), { envFile: '/e' });
    expect(nodeRuntime('docker').run(plan).join(' ')).toContain('--gpus @tooldock-allocated-gpus@');
    expect(JOB_SCRIPT).toContain('"@tooldock-allocated-gpus@" ] && run[$i]="\\"device=${SLURM_JOB_GPUS');
    expect(() => nodeRuntime('podman').run(plan)).toThrow(/only runtime "docker"/);
  });
});

describe('connect({ slurm }) validation', () => {
  it('names the bad value', () => {
    expect(thrown(() => connect({ slurm: { runtime: 'singularity' as 'docker' } })).message).toMatch(/options\.slurm\.runtime/);
    expect(thrown(() => connect({ slurm: { runtime: 'docker', partiton: 'x' } as never })).message).toMatch(/partiton/);
    expect(thrown(() => connect({ slurm: { runtime: 'docker', partition: 'a;b' } })).message).toMatch(/options\.slurm\.partition/);
    expect(thrown(() => connect({ slurm: { runtime: 'docker' }, host: 'tcp://x:1' } as never)).message).toMatch(/options\.host/);
    expect(thrown(() => connect({ slurm: { runtime: 'docker', sbatchArgs: ['--array=0-3'] } })).message).toMatch(/set by tooldock itself/);
    expect(thrown(() => connect({ slurm: { runtime: 'docker', sbatchArgs: ['-o', 'x'] } })).message).toMatch(/set by tooldock itself/);
    expect(thrown(() => connect({ slurm: { runtime: 'docker', spoolDir: '/shared/a\nb' } })).message).toMatch(
      /options\.slurm\.spoolDir.*line break/s,
    );
    for (const flag of ['--ntasks=2', '-n2', '-n', '--ntasks-per-node=2'])
      expect(thrown(() => connect({ slurm: { runtime: 'docker', srunArgs: [flag] } })).message).toMatch(/options\.slurm\.srunArgs.*number of tasks/s);
    expect(connect({ slurm: { runtime: 'docker', srunArgs: ['--nodelist=n1', '--network=x'] } }).options.srunArgs).toHaveLength(2);
    expect(
      connect({ slurm: { runtime: 'docker', sbatchArgs: ['--exclusive', '--constraint=avx2', '-Cavx2', '--mem-per-cpu=2G'] } }).options.sbatchArgs,
    ).toHaveLength(4);
  });

  it('returns the same engine for the same options', () => {
    expect(connect({ slurm: { runtime: 'docker', partition: 'p' } })).toBe(connect({ slurm: { runtime: 'docker', partition: 'p' } }));
  });
});
