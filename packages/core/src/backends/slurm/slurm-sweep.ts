import { hostname, userInfo } from 'node:os';
import { processAlive } from '../../util/process-owner.js';
import { session } from '../docker/process-session.js';
import { slurmCommand } from './slurm-cli.js';
import type { SlurmEngine } from './slurm-engine.js';

/**
 * `cleanupOrphans({ engine: cluster })`: cancels the caller's tooldock jobs whose submitting
 * process is provably dead — it ran on this host (the job's comment says so) and its pid is
 * gone. The watchdog does this at once when a session dies; this covers a dead watchdog
 * (a rebooted login node). Jobs of other hosts are kept: their liveness cannot be judged here.
 */
export async function sweepSlurmJobs(
  _engine: SlurmEngine,
): Promise<{ removed: Array<{ id: string; session: string; reason: string }>; kept: string[] }> {
  const out = await slurmCommand(
    'squeue',
    ['--noheader', `--user=${userInfo().username}`, '--states=PENDING,RUNNING,SUSPENDED', '--format=%A|%j|%k'],
    undefined,
    30_000,
  );
  const report = { removed: [] as Array<{ id: string; session: string; reason: string }>, kept: [] as string[] };
  for (const line of out.split('\n')) {
    const [id, name, comment = ''] = line.trim().split('|');
    if (!id || !name?.startsWith('tooldock-')) continue;
    const owner = /session=(\w+) pid=(\d+) host=(\S+)/.exec(comment);
    if (!owner || owner[1] === session.id) continue;
    const [, sessionId, pid, host] = owner as unknown as [string, string, string, string];
    if (host !== hostname() || processAlive(Number(pid))) {
      if (!report.kept.includes(sessionId)) report.kept.push(sessionId);
      continue;
    }
    await slurmCommand('scancel', [id], undefined, 30_000);
    report.removed.push({ id, session: sessionId, reason: `process ${pid} on this host is gone` });
  }
  return report;
}
