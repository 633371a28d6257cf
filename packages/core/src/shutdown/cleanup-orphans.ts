import { processAlive } from '../process-owner.js';
import { z } from 'zod';
import { daemonStatus } from '../engine/daemon-error.js';
import { connect, type DockerEngine } from '../engine/docker-engine.js';
import { parseOrThrow } from '../invalid-input-error.js';
import { LABEL } from '../labels.js';
import { RunEngineSchema } from '../options.js';
import { isCharliecloudEngine, isSlurmEngine, type Engine } from '../slurm/engine-kind.js';
import { sweepSlurmJobs } from '../slurm/slurm-sweep.js';
import { removeContainer } from '../live-containers.js';
import { session } from '../session.js';

/** What {@link cleanupOrphans} removed and why. */
export interface OrphanReport {
  removed: Array<{ id: string; session: string; reason: string }>;
  /** Sessions that look alive (or can't be judged from here) and were left alone. */
  kept: string[];
}

const CleanupOptionsSchema = z.object({ engine: RunEngineSchema.optional() }).strict();

/**
 * Removes containers left by tooldock sessions that are provably dead: a process on this host
 * that no longer exists, or a notebook container on this daemon that is gone or stopped.
 * Sessions it cannot judge (another machine sharing the daemon) are left alone. With a Slurm
 * engine: cancels the jobs of such sessions (their scripts remove the containers on the nodes).
 *
 * @example
 * ```ts
 * const { removed } = await cleanupOrphans();
 * console.log(`removed ${removed.length} orphaned tool containers`);
 * ```
 */
export function cleanupOrphans(options: { engine?: Engine } = {}): Promise<OrphanReport> {
  // Checked synchronously, like runTool's options: a typo throws before anything is removed.
  const parsed = parseOrThrow(CleanupOptionsSchema, options, 'options');
  if (isSlurmEngine(parsed.engine)) return sweepSlurmJobs(parsed.engine);
  // Charliecloud: a run's processes die with its pid namespace, and nothing outlives them.
  if (isCharliecloudEngine(parsed.engine)) return Promise.resolve({ removed: [], kept: [] });
  return removeOrphans(parsed.engine ?? connect());
}

async function removeOrphans(engine: DockerEngine): Promise<OrphanReport> {
  const containers = await engine.containers.listByLabel(LABEL.session, { all: true });
  const report: OrphanReport = { removed: [], kept: [] };
  const verdicts = new Map<string, Promise<string | undefined>>();
  for (const container of containers) {
    const labels = container.Labels ?? {};
    const owner = labels[LABEL.session]!;
    if (owner === session.id) continue;
    if (!verdicts.has(owner)) verdicts.set(owner, whyDead(engine, labels));
    const reason = await verdicts.get(owner)!;
    if (reason) {
      await removeContainer(engine, container.Id);
      report.removed.push({ id: container.Id, session: owner, reason });
    } else if (!report.kept.includes(owner)) {
      report.kept.push(owner);
    }
  }
  // A sibling reaper interrupted between create and start never runs, so never removes itself.
  // One created less than a minute ago may be about to start (another process is doing it).
  const reapers = (await engine.containers.listByLabel(LABEL.reaperFor, { all: true, status: ['created', 'exited', 'dead'] }))
    .filter((c) => c.State !== 'created' || Date.now() / 1000 - c.Created > 60);
  for (const reaper of reapers) {
    await removeContainer(engine, reaper.Id);
    report.removed.push({ id: reaper.Id, session: '-', reason: 'a sibling reaper that never ran or has finished' });
  }
  return report;
}

/** Why a session is dead, or undefined when it is (or may be) alive. */
async function whyDead(engine: DockerEngine, labels: Record<string, string>): Promise<string | undefined> {
  const host = labels[LABEL.host];
  const pid = Number(labels[LABEL.pid]);
  if (host === session.host) {
    return Number.isInteger(pid) && !processAlive(pid) ? `process ${pid} on this host is gone` : undefined;
  }
  // In a container, the hostname is the container id's first 12 characters by default.
  if (host && /^[0-9a-f]{12}$/.test(host)) {
    try {
      const parent = await engine.containers.inspect(host);
      return parent.State.Running ? undefined : `its container ${host} is ${parent.State.Status}`;
    } catch (error) {
      if (daemonStatus(error) === 404) return `its container ${host} no longer exists`;
    }
  }
  return undefined;
}
