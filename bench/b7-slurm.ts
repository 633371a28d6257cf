import { join } from 'node:path';
import { connect, runMany, runTool, type RunOptions } from '@tooldock/core';
import { WarmAllocation, type SlurmEngine } from '@tooldock/core/slurm';
import { partitionCpus, useSlurmCluster } from './b7-cluster.js';
import { shell } from './cli.js';
import { interleaved, median } from './stats.js';
import type { BenchContext, BenchRow } from './types.js';

const PARTITION = 'main';
/** What a user's script asks for per task, and what the engine asks for by default: one task, one CPU. */
const SRUN = `srun --quiet --partition=${PARTITION} --ntasks=1 --cpus-per-task=1`;

/** Whatever engine runTool accepts (the cluster's, here). */
type ClusterEngine = NonNullable<RunOptions['engine']>;

/**
 * B7: tools on the two-node test Slurm cluster (scripts/slurm-cluster.sh; started here unless one
 * runs, stopped only if started here). Fan-out: N short tasks through `runMany({ engine })` vs
 * `xargs -P C srun … docker run --rm` at the same concurrency C (one per CPU of the partition).
 * Per task: one `runTool` on the cluster vs a bare `srun … docker run --rm` and vs the same as a
 * bare batch job, interleaved, medians.
 */
export async function slurm({ images, smoke, scratch }: BenchContext): Promise<BenchRow[]> {
  const cluster = await useSlurmCluster();
  try {
    const engine = connect({ slurm: { partition: PARTITION, runtime: 'docker' } });
    const concurrency = await partitionCpus(PARTITION);
    // Another engine (its own spool): one that holds an allocation sends every fitting call there.
    const warm = connect({ slurm: { partition: PARTITION, runtime: 'docker', spoolDir: join(scratch, 'b7-warm-spool') } });
    return [
      await fanOutRow(engine, images.busybox, smoke ? 6 : 200, concurrency),
      await perTaskRow(engine, warm, images.busybox, smoke ? 1 : 15, scratch),
    ];
  } finally {
    await cluster.release();
  }
}

async function fanOutRow(engine: ClusterEngine, image: string, tasks: number, concurrency: number): Promise<BenchRow> {
  const times = await interleaved(1, {
    runMany: async () => {
      await runMany(
        Array.from({ length: tasks }, (_, i) => ({ image, args: ['echo', String(i)] })),
        { engine, concurrency },
      );
    },
    xargsSrun: async () => {
      const code = await shell(`seq 1 ${tasks} | xargs -P ${concurrency} -I{} ${SRUN} docker run --rm --network none ${image} echo {}`);
      if (code !== 0) throw new Error(`xargs srun docker run exited ${code}`);
    },
  });
  const [ours, xargs] = [median(times.runMany!), median(times.xargsSrun!)];
  return {
    id: 'B7-fan-out',
    what: `${tasks} short tasks on the 2-node Slurm cluster at concurrency ${concurrency}: runMany({ engine: cluster }) (job steps in one allocation) vs xargs -P ${concurrency} srun docker run --rm (tasks/s)`,
    figures: { runManyTasksPerS: tasks / (ours / 1000), xargsSrunTasksPerS: tasks / (xargs / 1000) },
    ratios: { speedupVsXargsSrun: xargs / ours },
    targets: { speedupVsXargsSrun: 1.0 },
    higherIsBetter: true,
  };
}

async function perTaskRow(engine: ClusterEngine, warm: SlurmEngine, image: string, rounds: number, scratch: string): Promise<BenchRow> {
  const run = async (script: string) => {
    const code = await shell(script);
    if (code !== 0) throw new Error(`${script} exited ${code}`);
  };
  // Two slots: the held calls' worker step keeps one (slot-worker.ts), the bare step takes the other.
  await using held = await WarmAllocation.hold(warm, { slots: 2 });
  const times = await interleaved(rounds, {
    runTool: async () => void (await runTool(image, ['true'], [], { engine })),
    runToolWarm: async () => void (await runTool(image, ['true'], [], { engine: warm })),
    srun: () => run(`${SRUN} docker run --rm --network none ${image} true`),
    srunStep: () => run(`srun --quiet --jobid=${held.jobId} --exact --ntasks=1 --nodes=1 docker run --rm --network none ${image} true`),
    sbatch: () => run(sbatchAndWait(`docker run --rm --network none ${image} true`, join(scratch, 'b7-sbatch-done'))),
  });
  const [ours, oursWarm, bare, bareStep, batch] = ['runTool', 'runToolWarm', 'srun', 'srunStep', 'sbatch'].map((k) => median(times[k]!)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  return {
    id: 'B7-per-task',
    what: `one runTool(busybox, ['true'], [], { engine: cluster }) vs a bare \`${SRUN} docker run --rm\` and vs the same as a batch job (sbatch, its end seen by polling a file every 20 ms); and the same runTool on an engine holding an allocation (WarmAllocation.hold) vs a bare \`srun --jobid=<held> --exact\` of the same (${rounds} interleaved rounds, medians)`,
    figures: { runToolMs: ours, srunMs: bare, sbatchMs: batch, overheadOverSrunMs: ours - bare, heldRunToolMs: oursWarm, heldSrunStepMs: bareStep },
    ratios: { vsSrun: ours / bare, vsSbatch: ours / batch, heldVsSrunStep: oursWarm / bareStep, heldVsSrun: oursWarm / bare },
    targets: { vsSrun: 1.5, vsSbatch: 1.25 },
    note: 'runTool goes out as srun (an allocation of its own, started at once); the sbatch column is what a batch job costs (the scheduler pass); held: a job step in the allocation WarmAllocation.hold keeps',
  };
}

/**
 * The least a script can do to run a command as a batch job and learn its end: `sbatch`, then
 * poll for a file the job writes last (`sbatch --wait` polls every 2–10 s: no fair baseline).
 */
function sbatchAndWait(command: string, doneFile: string): string {
  const job = `${command}; echo $? > ${doneFile}.tmp && mv ${doneFile}.tmp ${doneFile}`;
  return [
    `rm -f ${doneFile}`,
    `sbatch --quiet --partition=${PARTITION} --ntasks=1 --cpus-per-task=1 --output=/dev/null --wrap '${job}' || exit 1`,
    `for _ in $(seq 1 6000); do [ -e ${doneFile} ] && exit "$(cat ${doneFile})"; sleep 0.02; done`,
    'exit 124',
  ].join('\n');
}
