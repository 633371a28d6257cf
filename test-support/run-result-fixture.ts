import type { RunResult } from '@tooldock/core';

/** A successful run's result as `runTool` returns it, for tests of what is built from results (records, rendering). */
export function runResultOf(overrides: Partial<RunResult> = {}): RunResult {
  const startedAt = new Date('2026-11-28T09:00:00.000Z');
  const durationMs = overrides.durationMs ?? 1200;
  return {
    image: 'quay.io/biocontainers/samtools:1.22.1--h96c455f_0',
    imageId: `sha256:${'a'.repeat(64)}`,
    args: ['samtools', 'sort', '-o', '/data/s1.bam', '/data/s1.sam'],
    command: 'samtools sort -o /data/s1.bam /data/s1.sam',
    containerId: 'c0ffee',
    exitCode: 0,
    failed: false,
    killed: false,
    oomKilled: false,
    timedOut: false,
    canceled: false,
    signal: undefined,
    stdout: '',
    stderr: '',
    durationMs,
    startedAt,
    finishedAt: new Date(startedAt.getTime() + durationMs),
    mounts: [{ target: '/data', source: { type: 'bind', path: '/host/data' }, readOnly: false, localPath: '/data' }],
    user: '1000:1000',
    notes: [],
    cached: false,
    attempts: 1,
    ...overrides,
  };
}
