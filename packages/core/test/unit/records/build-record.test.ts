import { describe, expect, it } from 'vitest';
import { buildRecord, type RecordInput } from '../../../src/records/build-record.js';
import { parseJournal } from '../../../src/records/read-journal.js';
import { cheapPaths } from '../../../src/records/record-files.js';
import { ToolError } from '../../../src/errors/tool-error.js';
import { resultOf, specOf } from './fixtures.js';

const who = { session: 'feedfacecafebeef', pid: 7, host: 'nb', agent: { user: 'ana', uid: 1000 } };
const times = { startedAt: new Date('2026-11-28T09:00:00.000Z'), finishedAt: new Date('2026-11-28T09:00:02.500Z') };
const noFiles = { inputs: [], outputs: [] };

function input(overrides: Partial<RecordInput>): RecordInput {
  return { spec: specOf('img:1', ['true']), trace: { attempt: 1 }, outcome: { result: resultOf() }, files: noFiles, who, ...times, ...overrides };
}

describe('a run record', () => {
  it('keeps the facts of a successful run, and env names but never their values', () => {
    const spec = specOf('quay.io/biocontainers/samtools:1.22.1--h96c455f_0', ['samtools', 'sort'], {
      env: { API_TOKEN: 's3cr3t-value', LC_ALL: 'C' },
      cwd: '/data',
      user: 'auto',
      entrypoint: ['/bin/sh', '-c'],
    });
    const record = buildRecord(input({ spec, outcome: { result: resultOf() } }));
    expect(record).toMatchObject({
      version: 1,
      session: 'feedfacecafebeef',
      pid: 7,
      attempt: 1,
      image: spec.image,
      imageId: `sha256:${'a'.repeat(64)}`,
      args: ['samtools', 'sort'],
      entrypoint: ['/bin/sh', '-c'],
      envNames: ['API_TOKEN', 'LC_ALL'],
      cwd: '/data',
      userMode: 'auto',
      user: '1000:1000',
      engine: 'unix:///var/run/docker.sock',
      exitCode: 0,
      succeeded: true,
      failed: false,
      cached: false,
      startedAt: '2026-11-28T09:00:00.000Z',
      finishedAt: '2026-11-28T09:00:02.500Z',
      durationMs: 2500,
      agent: { user: 'ana', uid: 1000 },
    });
    expect(record.mounts).toEqual([{ localPath: '/data', target: '/data', source: { type: 'bind', path: '/host/data' }, readOnly: false }]);
    expect(record.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(record)).not.toContain('s3cr3t-value');
  });

  it('keeps the facts a ToolError carries, and the requested mounts when none were resolved', () => {
    const error = new ToolError('Command failed with exit code 3: sh', {
      image: 'img:1',
      args: ['sh', '-c', 'exit 3'],
      command: "sh -c 'exit 3'",
      exitCode: 3,
      imageId: 'sha256:abc',
      user: '1000:1000',
      failed: true,
    });
    const spec = specOf('img:1', ['sh', '-c', 'exit 3'], {}, [{ path: '/in', target: '/in', write: false }]);
    const record = buildRecord(input({ spec, outcome: { error } }));
    expect(record).toMatchObject({
      exitCode: 3,
      succeeded: false,
      failed: true,
      error: 'Command failed with exit code 3: sh',
      imageId: 'sha256:abc',
    });
    expect(record.mounts).toEqual([{ localPath: '/in', target: '/in', readOnly: true }]);
  });

  it('records timeouts, cancellations and errors that are not ToolErrors', () => {
    const timedOut = new ToolError('Timed out', { image: 'img:1', args: ['sleep', '9'], command: 'sleep 9', timedOut: true, killed: true });
    expect(buildRecord(input({ outcome: { error: timedOut } }))).toMatchObject({ timedOut: true, killed: true, canceled: false, succeeded: false });
    expect(buildRecord(input({ outcome: { error: new RangeError('boom') } }))).toMatchObject({ error: 'RangeError: boom', failed: true });
  });

  it('takes the cache verdict and a hit from the trace', () => {
    const cache = { key: 'f'.repeat(64), hit: true, inputMode: 'content' as const, inputs: [], outputs: [] };
    const record = buildRecord(input({ trace: { attempt: 2, cache }, outcome: { result: resultOf({ cached: true }) } }));
    expect(record).toMatchObject({ attempt: 2, cached: true, cache: { key: 'f'.repeat(64), hit: true, inputMode: 'content' } });
    const skipped = buildRecord(input({ trace: { attempt: 1, cache: { ...cache, key: '', hit: false, uncacheable: 'stdin is a stream' } } }));
    expect(skipped.cache).toEqual({ key: '', hit: false, inputMode: 'content', uncacheable: 'stdin is a stream' });
  });
});

describe('the cheap file list (no cache)', () => {
  it('names read-only mounts and a stdin file as inputs, writable mounts and file sinks as outputs', () => {
    const spec = specOf('img:1', ['cat'], { stdin: { file: '/in/reads.fq' }, stdout: { file: '/out/x.sam' }, stderr: 'capture' }, [
      { path: '/ref', target: '/ref', write: false },
      { path: '/out', target: '/out', write: true },
    ]);
    expect(cheapPaths(spec)).toEqual({ inputs: ['/ref', '/in/reads.fq'], outputs: ['/out', '/out/x.sam'] });
  });
});

describe('reading a journal', () => {
  it('skips a torn last line and lines that are not records', () => {
    const whole = JSON.stringify(buildRecord(input({})));
    const text = `${whole}\nnot json\n${JSON.stringify({ version: 99, id: 'x' })}\n${whole.slice(0, whole.length / 2)}`;
    const records = parseJournal(text);
    expect(records).toHaveLength(1);
    expect(records[0]!.args).toEqual(['true']);
  });
});
