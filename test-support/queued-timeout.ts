import { expect } from 'vitest';
import { isToolError, runMany, type FanOutProgress, type ToolEvent } from '@tooldock/core';
import { type SlurmEngine } from '@tooldock/core/slurm';
import { leftovers } from './slurm-engine.js';

/**
 * A fan-out task's `timeoutMs` counts from its start, not its wait: at concurrency 1, B waits
 * behind A's 8-s sleep — longer than B's 5-s timeout. Counted from the wait, B would be timed out
 * before it ever ran; counted from its start, B runs (a RUNNING state) and is timed out 5 s after
 * that. No bound on how fast a node starts a container. Checks that and that nothing is left;
 * returns the fan-out's last progress.
 */
export async function expectTimeoutCountedFromStart(engine: SlurmEngine, image: string, aTimeoutMs: number): Promise<FanOutProgress> {
  const marker = `tooldock-queued-timeout-${Date.now()}`;
  const at: Record<string, number> = {};
  const onEvent = (e: ToolEvent) => e.type === 'job:state' && e.state === 'RUNNING' && (at.running ??= Date.now());
  let last: FanOutProgress | undefined;
  const [a, b] = await runMany(
    [
      { image, args: ['sh', '-c', 'sleep 8; echo a'], options: { timeoutMs: aTimeoutMs } },
      { image, args: ['sh', '-c', `sh -c 'sleep 300; :' ${marker} & wait`], options: { timeoutMs: 5_000, onEvent } },
    ],
    { engine, concurrency: 1, failFast: false, onProgress: (p) => (last = p) },
  );
  const settled = Date.now();
  expect(a.status === 'fulfilled' && a.value.stdout).toBe('a\n');
  expect(b.status === 'rejected' && isToolError(b.reason) && b.reason.timedOut).toBe(true);
  expect(at.running).toBeDefined();
  expect(settled - at.running!).toBeGreaterThanOrEqual(5_000);
  expect(await leftovers(engine, marker)).toEqual({ jobs: [], processes: [] });
  return last!;
}
