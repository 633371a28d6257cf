import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { connect, InvalidInputError, runTool, type ToolEvent } from '@tooldock/core';
import { activeJobs, leftovers, useTestCluster } from '#test-support/slurm-engine.js';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

// Apptainer cannot be installed on these machines (no Debian 12 package), so this tests what
// reaches its boundary on a real node of the real cluster: the store's image, the job, and the
// exact `apptainer exec` line with its env file. The `apptainer` found on the job's PATH is a
// recorder that keeps its arguments and exits — it runs nothing, and no test here claims it does.
const { busybox } = testImages();
useTestCluster();
const cluster = connect({
  slurm: { runtime: 'apptainer', partition: 'main', spoolDir: tempDir('slurm-apptainer-spool'), images: inject('charliecloudStore') },
});
const dir = tempDir('slurm-apptainer');
const recorder = join(dir, 'bin', 'apptainer');
mkdirSync(join(dir, 'bin'), { recursive: true });
writeFileSync(
  recorder,
  `#!/bin/sh
log="$TOOLDOCK_APPTAINER_LOG"
printf '%s\\0' "$@" > "$log.argv"
previous=
for arg in "$@"; do [ "$previous" = --env-file ] && cp "$arg" "$log.env"; previous=$arg; done
echo "recorded on $SLURMD_NODENAME"
`,
);
chmodSync(recorder, 0o755);
// The job's environment is the submitter's (srun's default): the recorder comes first on its PATH.
process.env.PATH = `${join(dir, 'bin')}:${process.env.PATH}`;

afterAll(async () => {
  expect((await leftovers(cluster, 'tooldock-apptainer-never')).jobs).toEqual([]);
});

describe('Apptainer on the Slurm nodes (designed, not run: the line that reaches it)', () => {
  it('a job on a node calls apptainer exec on the store image as a sandbox, contained, network none, read-only bind, env by file', async () => {
    const data = join(dir, 'data');
    mkdirSync(data, { recursive: true });
    const log = join(dir, 'call');
    process.env.TOOLDOCK_APPTAINER_LOG = log;
    const jobIds: string[] = [];
    const result = await runTool(busybox, ['cat', `${data}/in.txt`], [data], {
      engine: cluster,
      env: { GREETING: "a,b'c" },
      cwd: data,
      onEvent: (e: ToolEvent) => e.type === 'job:state' && jobIds.push(e.jobId),
    });
    expect(result.stdout).toMatch(/^recorded on n[12]\n$/);
    expect(jobIds.length).toBeGreaterThan(0);
    const image = cluster.images.find(busybox)!;
    expect(result.imageId).toBe(image.imageId);

    const argv = readFileSync(`${log}.argv`, 'utf8').split('\0').slice(0, -1);
    const envFile = argv[argv.indexOf('--env-file') + 1]!;
    expect(argv).toEqual([
      'exec',
      '--containall',
      '--no-home',
      '--cleanenv',
      '--pwd',
      data,
      '--net',
      '--network',
      'none',
      '--bind',
      `${data}:${data}:ro`,
      '--env-file',
      envFile,
      image.dir,
      'cat',
      `${data}/in.txt`,
    ]);
    // Single-quoted for Apptainer's shell reading of the file; HOME is Apptainer's own (it refuses an override).
    const env = readFileSync(`${log}.env`, 'utf8');
    expect(env).toContain("GREETING='a,b'\\''c'\n");
    expect(env).toMatch(/^PATH='[^']+'$/m); // the image's own variables first
    expect(env).not.toMatch(/^HOME=/m);
  });

  it('covers the spool where a mount of its parent would show it, after that mount', async () => {
    const base = tempDir('slurm-apptainer-hide');
    const spool = join(base, 'spool');
    const hiding = connect({ slurm: { runtime: 'apptainer', partition: 'main', spoolDir: spool, images: inject('charliecloudStore') } });
    const log = join(dir, 'hide');
    process.env.TOOLDOCK_APPTAINER_LOG = log;
    await runTool(busybox, ['true'], [`${base}:rw`], { engine: hiding });
    const argv = readFileSync(`${log}.argv`, 'utf8').split('\0').slice(0, -1);
    const binds = argv.flatMap((arg, i) => (argv[i - 1] === '--bind' ? [arg] : []));
    expect(binds).toHaveLength(2);
    expect(binds[0]).toBe(`${base}:${base}`);
    expect(binds[1]).toMatch(new RegExp(`^${spool}/[^:]+/run-[^/:]+/empty:${spool}:ro$`));
  });

  it('refuses before any job what Apptainer on a node cannot give: another network, a path --bind would split', () => {
    // By id: an earlier test's job may still be leaving the queue (COMPLETING) meanwhile.
    const jobIds = () => activeJobs(cluster.jobName).map((line) => line.split(' ')[0]!);
    const before = new Set(jobIds());
    // One InvalidInputError thrown by runTool itself, as for any bad input — no run, no job.
    expect(() => runTool(busybox, ['true'], [], { engine: cluster, network: 'bridge' })).toThrow(InvalidInputError);
    expect(() => runTool(busybox, ['true'], [], { engine: cluster, network: 'bridge' })).toThrow(/options\.network.*Apptainer run offers "none"/s);
    const odd = join(dir, 'a,b');
    mkdirSync(odd, { recursive: true });
    expect(() => runTool(busybox, ['true'], [odd], { engine: cluster })).toThrow(InvalidInputError);
    expect(() => runTool(busybox, ['true'], [odd], { engine: cluster })).toThrow('without ":" or ","');
    // Its env file is read as shell assignments: a name that is no identifier would run as a command.
    expect(() => runTool(busybox, ['true'], [], { engine: cluster, env: { 'x;touch /tmp/owned;y': '1' } })).toThrow(
      /options\.env\..*Apptainer reads variables as shell assignments/,
    );
    expect(jobIds().filter((id) => !before.has(id))).toEqual([]);
  });
});
