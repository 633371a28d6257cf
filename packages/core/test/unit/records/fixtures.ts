import { RunOptionsSchema, type RunOptions } from '../../../src/api/options.js';
import type { RunSpec } from '../../../src/lifecycle/run-context.js';
import { runResultOf } from '#test-support/run-result-fixture.js';
import type { RunRecord } from '../../../src/records/run-record.js';

/** A validated request, as prepareRun builds it, with an engine that only names its endpoint. */
export function specOf(image: string, args: string[], options: RunOptions = {}, mounts: RunSpec['mounts'] = []): RunSpec {
  return {
    image,
    args,
    mounts,
    options: RunOptionsSchema.parse(options),
    engine: { endpoint: 'unix:///var/run/docker.sock' } as never,
    backend: undefined as never,
  };
}

/** A result as runTool returns it (test-support/run-result-fixture.ts). */
export const resultOf = runResultOf;

/** A record as the record layer writes it, for the crate mapping. */
export function recordOf(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    version: 1,
    id: '6f1c2c59-1d8c-4c1e-9d0f-3f2a8a0b9e11',
    session: '0123456789abcdef',
    pid: 42,
    host: 'nb',
    attempt: 1,
    image: 'quay.io/biocontainers/samtools:1.22.1--h96c455f_0',
    imageId: `sha256:${'a'.repeat(64)}`,
    args: ['samtools', 'sort', '-o', '/data/s1.bam', '/data/s1.sam'],
    envNames: ['SAMTOOLS_OPTS'],
    userMode: 'auto',
    user: '1000:1000',
    engine: 'unix:///var/run/docker.sock',
    mounts: [{ localPath: '/data', target: '/data', source: { type: 'bind', path: '/data' }, readOnly: false }],
    startedAt: '2026-11-28T09:00:00.000Z',
    finishedAt: '2026-11-28T09:00:01.200Z',
    durationMs: 1200,
    exitCode: 0,
    succeeded: true,
    failed: false,
    killed: false,
    oomKilled: false,
    timedOut: false,
    canceled: false,
    cached: false,
    cache: { key: 'k'.repeat(64), hit: false, inputMode: 'stat' },
    inputs: [{ path: '/data/s1.sam', kind: 'file', size: 2048, mtimeMs: 1_764_320_000_000 }],
    outputs: [{ path: '/data/s1.bam', kind: 'file', size: 512, mtimeMs: 1_764_320_001_000, sha256: 'b'.repeat(64) }],
    agent: { user: 'ana', uid: 1000 },
    ...overrides,
  };
}
