import { slurmCommand } from './slurm-cli.js';

/** Where a job stands, as `squeue` says: `PENDING`, `RUNNING`, `COMPLETED`, `OUT_OF_MEMORY`, … */
export interface JobStatus {
  state: string;
  /** The node it runs (or ran) on, once placed. */
  node?: string;
  /** Pending reason or similar, when Slurm gives one. */
  reason?: string;
}

/** States after which a job runs no more. */
const ENDED = new Set([
  'COMPLETED',
  'CANCELLED',
  'FAILED',
  'TIMEOUT',
  'OUT_OF_MEMORY',
  'NODE_FAIL',
  'BOOT_FAIL',
  'DEADLINE',
  'PREEMPTED',
  'SPECIAL_EXIT',
  'REVOKED',
]);

/** True when a job in `state` runs no more (`GONE`: no longer known to the controller). */
export function jobEnded(state: string): boolean {
  return ENDED.has(state) || state === 'GONE';
}

const POLL_MS = 1_000;
/** A job the controller never listed after this long is taken as gone (purged, or never there). */
const NEVER_SEEN_MS = 60_000;

type Listener = (status: JobStatus) => void;

interface Watched {
  listener: Listener;
  since: number;
  last?: string;
}

/**
 * One `squeue` call per second for all of this session's jobs (selected by job name), however many
 * runs wait: a fan-out of thousands must not poll the controller once per task. Tells each run's
 * listener about every change of state or node.
 */
export class JobWatcher {
  private readonly watched = new Map<string, Watched>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly jobName: string) {}

  watch(jobId: string, listener: Listener): () => void {
    this.watched.set(jobId, { listener, since: Date.now() });
    this.schedule(50);
    return () => {
      this.watched.delete(jobId);
    };
  }

  /** Polls now (a run that was just killed wants to know soon). */
  poke(): void {
    this.schedule(50);
  }

  private schedule(delay: number): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.watched.size === 0) return;
    this.timer = setTimeout(() => void this.poll(), delay);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    this.timer = undefined;
    try {
      const statuses = await this.query();
      for (const [jobId, entry] of [...this.watched]) this.report(jobId, entry, statuses.get(jobId));
    } catch {
      // A busy controller: ask again next time.
    }
    if (!this.timer) this.schedule(POLL_MS);
  }

  private report(jobId: string, entry: Watched, status: JobStatus | undefined): void {
    const seen = status ?? (entry.last !== undefined || Date.now() - entry.since > NEVER_SEEN_MS ? { state: 'GONE' } : undefined);
    if (!seen) return;
    const key = `${seen.state}|${seen.node ?? ''}`;
    if (key === entry.last) return;
    entry.last = key;
    entry.listener(seen);
  }

  private async query(): Promise<Map<string, JobStatus>> {
    const out = await slurmCommand(
      'squeue',
      ['--array', '--noheader', '--states=all', `--name=${this.jobName}`, '--format=%i|%T|%N|%r'],
      undefined,
      30_000,
    );
    const statuses = new Map<string, JobStatus>();
    for (const line of out.split('\n')) {
      const [id, state, node, reason] = line.trim().split('|');
      if (!id || !state) continue;
      statuses.set(id, { state, ...(node ? { node } : {}), ...(reason && reason !== 'None' ? { reason } : {}) });
    }
    return statuses;
  }
}
