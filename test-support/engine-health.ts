import { readdirSync, readFileSync, statSync } from 'node:fs';
import { connect, runTool } from '@tooldock/core';

/** A busybox `true` takes well under a second; a minute means the engine, not load. */
const HEALTH_MS = 60_000;

/**
 * The engine tests share one daemon: when it wedges (containers stuck `Created`, a `runc init`
 * that never returns) every later test times out one by one, and a suite that wedged it would
 * leave it so for everyone. A quick run must complete before the suite and after it; when it
 * does not, one error says so, with what was found stuck.
 */
export async function checkEngineHealth(image: string, when: 'before' | 'after'): Promise<void> {
  const started = Date.now();
  try {
    await runTool(image, ['true'], [], { timeoutMs: HEALTH_MS, labels: { 'tooldock-test.purpose': 'engine-health' } });
    return;
  } catch (error) {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    throw new Error(
      `the Docker engine is not healthy ${when} the engine tests: \`runTool(${image}, ["true"])\` failed after ${seconds} s ` +
        `(${(error as Error).message.split('\n')[0]}).\n${await stuckFacts()}\n` +
        'Tests cannot pass on a wedged engine; see docs/troubleshooting.md ("The engine wedged").',
    );
  }
}

/** What a wedged engine typically shows: created-but-never-started containers, old `runc init`s, frozen cgroups. */
async function stuckFacts(): Promise<string> {
  const facts: string[] = [];
  try {
    const created = await connect().docker.listContainers({ all: true, filters: { status: ['created'] } });
    facts.push(
      `containers in state Created: ${created.length}${
        created.length
          ? ` (${created
              .slice(0, 5)
              .map((c) => `${c.Id.slice(0, 12)} ${c.Image} ${c.Status}`)
              .join('; ')})`
          : ''
      }`,
    );
  } catch (error) {
    facts.push(`the daemon did not list its containers: ${(error as Error).message}`);
  }
  facts.push(`runc init processes older than ${HEALTH_MS / 1000} s: ${oldRuncInits().join(', ') || 'none'}`);
  facts.push(`frozen container cgroups: ${frozenCgroups().join(', ') || 'none'}`);
  return facts.map((f) => `  - ${f}`).join('\n');
}

function oldRuncInits(): string[] {
  const bootedAt = Date.now() - Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 1000;
  const ticks = 100; // USER_HZ on Linux
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim() !== 'runc init') continue;
      const startTicks = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]);
      if (Date.now() - (bootedAt + (startTicks / ticks) * 1000) > HEALTH_MS) found.push(pid);
    } catch {
      /* gone */
    }
  }
  return found;
}

function frozenCgroups(): string[] {
  const root = '/sys/fs/cgroup/freezer/docker';
  try {
    return readdirSync(root)
      .filter((id) => statSync(`${root}/${id}`).isDirectory() && readFileSync(`${root}/${id}/freezer.state`, 'utf8').trim() !== 'THAWED')
      .map((id) => id.slice(0, 12));
  } catch {
    return []; // cgroup v2 or no freezer: nothing to read here
  }
}
