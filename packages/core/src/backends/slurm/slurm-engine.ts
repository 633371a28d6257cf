import { join } from 'node:path';
import { toolDockHome } from '../../util/environment.js';
import { parseOrThrow } from '../../errors/invalid-input-error.js';
import { session } from '../docker/process-session.js';
import { ArraySubmitter } from './array-submitter.js';
import { JobCanceller } from './job-canceller.js';
import { JobWatcher } from './job-watcher.js';
import { nodeRuntime, type NodeRuntime } from './node-runtime.js';
import { ImageStore } from '../image-store/image-store.js';
import { SlurmOptionsSchema, type SlurmOptions } from './slurm-options.js';
import { Spool } from './spool.js';
import { startSlurmWatchdog } from './slurm-watchdog.js';

/**
 * Tools on a Slurm cluster: each run is a Slurm job whose node starts the container with its
 * runtime (`docker run` / `podman run`); the shared filesystem carries mounts, output and exit
 * codes. Accepted wherever a Docker engine is (`runTool`, `runMany`, recipes, `doctor()`).
 * Get one with `connect({ slurm })`.
 *
 * @example
 * ```ts
 * const cluster = connect({ slurm: { partition: 'main', runtime: 'docker' } });
 * await runTool(image, ['samtools', 'flagstat', bam], [dir], { engine: cluster, cpus: 2 });
 * ```
 */
export class SlurmEngine {
  /** Tells engines apart without importing them. */
  readonly kind = 'slurm' as const;
  /** The options it was created with, validated. */
  readonly options: SlurmOptions;
  /** The container runtime on the nodes. */
  readonly runtime: NodeRuntime;
  /** Every job of this session carries this name (a sweep or the watchdog cancels by it). */
  readonly jobName = `tooldock-${session.id}`;
  /** @internal */
  readonly spool: Spool;
  /** @internal */
  readonly submitter: ArraySubmitter;
  /** @internal */
  readonly watcher: JobWatcher;
  /** @internal */
  readonly canceller = new JobCanceller();
  /** `runtime: 'charliecloud'` or `'apptainer'`: the image store on the shared filesystem (converted here, run on the nodes). */
  readonly images: ImageStore;
  private watchdogStarted = false;

  constructor(options: SlurmOptions) {
    this.options = parseOrThrow(SlurmOptionsSchema, options, 'options.slurm');
    this.runtime = nodeRuntime(this.options.runtime);
    this.images = new ImageStore(this.options.images ?? join(toolDockHome(), 'images'));
    this.spool = new Spool(this.options.spoolDir ?? join(toolDockHome(), 'slurm'));
    this.submitter = new ArraySubmitter(this.spool, this.jobName, `tooldock session=${session.id} pid=${session.pid} host=${session.host}`);
    this.watcher = new JobWatcher(this.jobName);
  }

  /** `slurm:<partition>` (or `slurm:default`), for messages. */
  get endpoint(): string {
    return `slurm:${this.options.partition ?? 'default'}`;
  }

  /** @internal Before the first job: whatever ends this process, its jobs end too. */
  ensureWatchdog(): void {
    if (this.watchdogStarted) return;
    this.watchdogStarted = true;
    startSlurmWatchdog(this.jobName, this.spool.dir);
  }
}

const shared = new Map<string, SlurmEngine>();

/** The shared engine for these Slurm options (the same options give the same instance). */
export function connectSlurm(options: SlurmOptions): SlurmEngine {
  const parsed = parseOrThrow(SlurmOptionsSchema, options, 'options.slurm');
  const key = JSON.stringify(parsed);
  let engine = shared.get(key);
  if (!engine) {
    engine = new SlurmEngine(parsed);
    shared.set(key, engine);
  }
  return engine;
}
