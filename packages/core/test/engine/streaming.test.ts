import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '#test-support/temp-dir.js';
import { runTool } from '@tooldock/core';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();
const sha = (data: Buffer | string | undefined) =>
  createHash('sha256')
    .update(data ?? '')
    .digest('hex');

describe('streaming output', () => {
  it('returns ≥ 10 MB of binary stdout and stderr byte-exact and never mixed', async () => {
    const dir = tempDir('bin');
    const out = randomBytes(12 * 1024 * 1024);
    const err = randomBytes(3 * 1024 * 1024 + 7);
    writeFileSync(join(dir, 'out.bin'), out);
    writeFileSync(join(dir, 'err.bin'), err);
    const result = await runTool(busybox, ['sh', '-c', `cat ${dir}/out.bin & cat ${dir}/err.bin >&2; wait`], [dir], {
      encoding: 'buffer',
    });
    expect(Buffer.isBuffer(result.stdout)).toBe(true);
    expect((result.stdout as Buffer).length).toBe(out.length);
    expect(sha(result.stdout)).toBe(sha(out));
    expect(sha(result.stderr)).toBe(sha(err));
  });

  it('passes stdin through byte-exact (Buffer, string, Readable, file)', async () => {
    const data = randomBytes(5 * 1024 * 1024);
    const viaBuffer = await runTool(busybox, ['cat'], [], { stdin: data, encoding: 'buffer' });
    expect(sha(viaBuffer.stdout)).toBe(sha(data));

    const viaString = await runTool(busybox, ['cat'], [], { stdin: 'line one\nline two, no newline' });
    expect(viaString.stdout).toBe('line one\nline two, no newline');

    const dir = tempDir('stdin');
    writeFileSync(join(dir, 'in.bin'), data);
    const viaFile = await runTool(busybox, ['sha256sum'], [], { stdin: { file: join(dir, 'in.bin') } });
    expect((viaFile.stdout as string).split(' ')[0]).toBe(sha(data));
  });

  it('pipes one tool into another through stdin', async () => {
    const producer = runTool(busybox, ['sh', '-c', 'seq 1 20000'], [], { stdout: 'ignore' });
    const consumer = await runTool(busybox, ['wc', '-l'], [], { stdin: producer.stdout });
    await producer;
    expect((consumer.stdout as string).trim()).toBe('20000');
  });

  it('never loses the first bytes across 50 back-to-back short runs', async () => {
    for (let i = 0; i < 50; i++) {
      const { stdout, stderr } = await runTool(busybox, ['sh', '-c', `echo first-${i}; echo err-${i} >&2`]);
      expect(stdout).toBe(`first-${i}\n`);
      expect(stderr).toBe(`err-${i}\n`);
    }
  }, 360_000); // 50 container lifecycles: ~2.3 s each on a loaded 2-core CI machine (115 s seen)

  it('streams lines of both streams as they arrive', async () => {
    const run = runTool(busybox, ['sh', '-c', 'for i in 1 2 3; do echo out-$i; echo err-$i >&2; done; printf tail']);
    const seen: string[] = [];
    for await (const { stream, line } of run.lines()) seen.push(`${stream}:${line}`);
    expect(seen.filter((l) => l.startsWith('stdout:'))).toEqual(['stdout:out-1', 'stdout:out-2', 'stdout:out-3', 'stdout:tail']);
    expect(seen.filter((l) => l.startsWith('stderr:'))).toEqual(['stderr:err-1', 'stderr:err-2', 'stderr:err-3']);
    expect((await run).exitCode).toBe(0);
  });

  it('caps captured output and says so in the result', async () => {
    const result = await runTool(busybox, ['sh', '-c', 'head -c 5000 /dev/zero'], [], { maxBuffer: 1000, encoding: 'buffer' });
    expect((result.stdout as Buffer).length).toBe(1000);
    expect(result.notes.join('\n')).toMatch(/stdout was truncated: kept the first 1000 bytes .* dropped 4000/);
  });

  it('writes stdout to a file atomically and to any Writable', async () => {
    const dir = tempDir('sink');
    const file = join(dir, 'out.txt');
    const ok = await runTool(busybox, ['sh', '-c', 'seq 1 1000'], [], { stdout: { file } });
    expect(ok.stdout).toBeUndefined();
    const { readFileSync, readdirSync } = await import('node:fs');
    expect(readFileSync(file, 'utf8').split('\n')[999]).toBe('1000');
    expect(readdirSync(dir)).toEqual(['out.txt']);

    const { PassThrough } = await import('node:stream');
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (c: Buffer) => chunks.push(c));
    await runTool(busybox, ['echo', 'to a stream'], [], { stdout: sink });
    expect(Buffer.concat(chunks).toString()).toBe('to a stream\n');
  });
});
