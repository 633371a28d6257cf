import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { connect, InvalidInputError, isToolError, runMany, runTool, type ToolEvent } from '@tooldock/core';
import { bwa, configureRecipes, samtools, syntheticDataset } from '@tooldock/recipes';
import { activeJobs, processesWith, useTestCluster } from '#test-support/slurm-engine.js';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

const { busybox, bio } = testImages();
useTestCluster();
const cluster = connect({
  slurm: { runtime: 'charliecloud', partition: 'main', spoolDir: tempDir('slurm-ch-spool'), images: inject('charliecloudStore') },
});
const dir = tempDir('slurm-ch');
afterAll(async () => {
  for (let i = 0; i < 60 && activeJobs(cluster.jobName).length; i++) await new Promise((resolve) => setTimeout(resolve, 250));
  expect(activeJobs(cluster.jobName)).toEqual([]);
});

describe('Charliecloud on the Slurm nodes (ch-run inside the job, no daemon)', () => {
  it('runs on a node as the caller: output, exit code, read-only mount, stdin, the image id from the store', async () => {
    const data = join(dir, 'basic');
    mkdirSync(join(data, 'out'), { recursive: true });
    writeFileSync(join(data, 'in.txt'), 'x');
    const nodes: string[] = [];
    const result = await runTool(
      busybox,
      ['sh', '-c', `cat; id -u; echo w > ${data}/out/w; echo 2 > ${data}/in.txt || echo refused; cat /proc/net/dev | wc -l; exit 3`],
      [data, `${data}/out:rw`],
      {
        engine: cluster,
        stdin: 'from stdin\n',
        reject: false,
        onEvent: (e: ToolEvent) => e.type === 'job:state' && e.node && nodes.push(e.node),
      },
    );
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toBe(`from stdin\n${process.getuid!()}\nrefused\n3\n`); // 2 header lines + lo
    expect(readFileSync(join(data, 'in.txt'), 'utf8')).toBe('x');
    expect(readFileSync(join(data, 'out', 'w'), 'utf8')).toBe('w\n');
    expect(result.imageId).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(nodes.some((n) => /^n[12]$/.test(n))).toBe(true);
  });

  it('cancel and timeout leave no job and no tool process', async () => {
    const marker = `tooldock-ch-slurm-${Date.now()}`;
    const controller = new AbortController();
    const running = runTool(busybox, ['sh', '-c', `sh -c 'sleep 300; :' ${marker}-a & wait`], [], { engine: cluster, signal: controller.signal });
    for (let i = 0; i < 100 && processesWith(marker).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(processesWith(marker).length).toBeGreaterThan(0);
    controller.abort();
    const error = await running.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isToolError(error) && error.canceled).toBe(true);
    const timedOut = await runTool(busybox, ['sh', '-c', `sh -c 'sleep 300; :' ${marker}-b & wait`], [], { engine: cluster, timeoutMs: 3000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isToolError(timedOut) && timedOut.timedOut).toBe(true);
    for (let i = 0; i < 50 && (processesWith(marker).length || activeJobs(cluster.jobName).length); i++)
      await new Promise((resolve) => setTimeout(resolve, 200));
    expect(processesWith(marker)).toEqual([]);
    expect(activeJobs(cluster.jobName)).toEqual([]);
  });

  it("the tool's variables reach it from a file in the private spool, as they are, never through a process's arguments", async () => {
    const secret = `s3cret-node-${Date.now()}`;
    const seen: string[] = [];
    const watching = setInterval(() => seen.push(...processesWith(secret)), 50);
    const result = await runTool(busybox, ['sh', '-c', 'echo "$TOKEN|$QUOTED"; sleep 2'], [], {
      engine: cluster,
      env: { TOKEN: secret, QUOTED: "'q' $x" },
    }).finally(() => clearInterval(watching));
    expect(result.stdout).toBe(`${secret}|'q' $x\n`);
    expect(seen).toEqual([]);
  });

  it('refuses, from runTool itself and before any job, what ch-run on a node cannot give', () => {
    // By id: an earlier test's job may still be leaving the queue (COMPLETING) meanwhile.
    const jobIds = () => activeJobs(cluster.jobName).map((line) => line.split(' ')[0]!);
    const before = new Set(jobIds());
    const refused = (options: Parameters<typeof runTool>[3]) => () => runTool(busybox, ['true'], [], { engine: cluster, ...options });
    expect(refused({ network: 'bridge' })).toThrow(InvalidInputError);
    expect(refused({ network: 'bridge' })).toThrow(/options\.network.*Charliecloud run offers "none"/s);
    expect(refused({ gpus: 'all' })).toThrow(/options\.gpus/);
    expect(refused({ user: '12345:12345' })).toThrow(/options\.user.*runs the tool as you/s);
    expect(jobIds().filter((id) => !before.has(id))).toEqual([]);
  });

  it("a mount of the spool's parent shows the tool an empty, read-only spool (it cannot rewrite what the node runs next)", async () => {
    const base = tempDir('slurm-ch-hide');
    const spool = join(base, 'spool');
    const hiding = connect({ slurm: { runtime: 'charliecloud', partition: 'main', spoolDir: spool, images: inject('charliecloudStore') } });
    const result = await runTool(
      busybox,
      ['sh', '-c', `ls -A ${spool} | wc -l; touch ${spool}/evil 2>/dev/null && echo wrote || echo refused; echo ok > ${base}/out`],
      [`${base}:rw`],
      { engine: hiding },
    );
    expect(result.stdout).toBe('0\nrefused\n');
    expect(readFileSync(join(base, 'out'), 'utf8')).toBe('ok\n'); // the rest of the mount is the tool's
    expect(readdirSync(spool).length).toBeGreaterThan(0); // the spool is there, only hidden
    expect(readdirSync(spool)).not.toContain('evil');
  });

  it("the recipes pipeline: the same flagstat numbers as local Docker, and cached by the store's image id", async () => {
    configureRecipes({ images: { samtools: bio, bwa: bio } });
    try {
      const ref = join(dir, 'ref.fa');
      const data = syntheticDataset({ seed: 5, contigs: { chr1: 4000 }, pairs: 120 });
      writeFileSync(ref, data.fasta);
      writeFileSync(join(dir, 'r1.fq'), data.reads1);
      writeFileSync(join(dir, 'r2.fq'), data.reads2);
      await bwa.index({ reference: ref, run: { engine: cluster } });
      const flagstat = async (engine: typeof cluster | undefined, name: string) => {
        const bam = join(dir, `${name}.bam`);
        await bwa.mem({ index: ref, reads1: join(dir, 'r1.fq'), reads2: join(dir, 'r2.fq'), output: bam, threads: 1, run: engine ? { engine } : {} });
        return samtools.flagstat({ input: bam, run: engine ? { engine } : {} });
      };
      const [onCluster, locally] = await runMany([() => flagstat(cluster, 'cluster'), () => flagstat(undefined, 'docker')]);
      expect(onCluster.passed.total).toBe(240);
      expect(onCluster).toEqual(locally);
      const cache = join(dir, 'cache');
      const first = await runTool(bio, ['samtools', 'flagstat', join(dir, 'cluster.bam')], [dir], { engine: cluster, cache });
      const second = await runTool(bio, ['samtools', 'flagstat', join(dir, 'cluster.bam')], [dir], { engine: cluster, cache });
      expect(second.cached).toBe(true);
      expect(second.stdout).toBe(first.stdout);
    } finally {
      configureRecipes({ images: { samtools: undefined, bwa: undefined } });
    }
  });
});
