import { processAlive } from '../../util/process-owner.js';
import { daemonStatus } from './engine/daemon-error.js';
import type { DockerEngine } from './engine/docker-engine.js';
import { LABEL } from './labels.js';
import { removeContainer } from './live-containers.js';
import { session } from './process-session.js';
import type { OrphanReport } from '../../shutdown/orphan-report.js';

/**
 * `cleanupOrphans()` on a daemon: removes containers of tooldock sessions that are provably dead
 * (a process on this host that no longer exists, or a notebook container on this daemon that is
 * gone or stopped), and sibling reapers that never ran or have finished.
 */
export async function sweepDocker(engine: DockerEngine): Promise<OrphanReport> {
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
  const reapers = (await engine.containers.listByLabel(LABEL.reaperFor, { all: true, status: ['created', 'exited', 'dead'] })).filter(
    (c) => c.State !== 'created' || Date.now() / 1000 - c.Created > 60,
  );
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
