import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { connect, doctor, isToolError, runMany, runTool, type ToolError } from '@tooldock/core';
import { runRecords } from '@tooldock/core/provenance';
import { thrown } from '#test-support/invalid-input.js';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();
const engine = connect({ runtime: 'charliecloud', images: inject('charliecloudStore') });
const dir = tempDir('charliecloud');
const uid = process.getuid!();
const gid = process.getgid!();

/** Processes whose command line carries `marker` (a tool left running would show here). */
function processesWith(marker: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes(marker) && !line.includes('ps -eo'));
}

async function failure(run: PromiseLike<unknown>): Promise<ToolError> {
  try {
    await run;
  } catch (error) {
    if (isToolError(error)) return error;
    throw error;
  }
  throw new Error('expected the run to fail');
}

describe('the charliecloud engine (ch-run, no daemon)', () => {
  it('runs as the caller, same paths, clean environment plus env, cwd, HOME, image env', async () => {
    const data = join(dir, 'same-path');
    mkdirSync(data);
    writeFileSync(join(data, 'in.txt'), 'hello\n');
    const result = await runTool(busybox, ['sh', '-c', 'id -u; id -g; pwd; cat in.txt; echo "$FOO|$HOME|$PATH"; env | grep -c SSH_ ; true'], [data], {
      engine,
      cwd: data,
      env: { FOO: "'a' $b=c" },
    });
    const lines = (result.stdout as string).split('\n');
    expect(lines.slice(0, 4)).toEqual([String(uid), String(gid), data, 'hello']);
    expect(result.stdout as string).toContain("'a' $b=c|/tmp|/bin"); // literal value, quotes kept; the image's PATH
    expect(lines.at(-2)).toBe('0'); // nothing of our own environment leaks in
    expect(result.user).toBe(`${uid}:${gid}`);
    expect(result.imageId).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(result.mounts).toEqual([{ target: data, source: { type: 'bind', path: data }, readOnly: true, localPath: data }]);
  });

  it('keeps read-only mounts read-only (also under a writable one), writes where asked, owned by the caller', async () => {
    const data = join(dir, 'ro');
    mkdirSync(join(data, 'out'), { recursive: true });
    writeFileSync(join(data, 'in.txt'), 'x');
    const result = await runTool(
      busybox,
      ['sh', '-c', `echo w > ${data}/out/w.txt; echo 2 > ${data}/in.txt || echo refused; touch /bin/new || echo image-ro`],
      [data, `${data}/out:rw`],
      { engine, reject: false },
    );
    expect(result.stdout).toBe('refused\nimage-ro\n');
    expect(readFileSync(join(data, 'in.txt'), 'utf8')).toBe('x');
    expect(readFileSync(join(data, 'out', 'w.txt'), 'utf8')).toBe('w\n');
    expect(statSync(join(data, 'out', 'w.txt')).uid).toBe(uid);
  });

  it('network "none" is a namespace of its own; "host" shares ours; other modes are refused', async () => {
    // /proc/net/dev lists the interfaces of the reader's network namespace.
    const interfaces = (text: string) =>
      text
        .split('\n')
        .slice(2)
        .map((l) => l.split(':')[0]!.trim())
        .filter(Boolean)
        .sort();
    const none = await runTool(busybox, ['cat', '/proc/net/dev'], [], { engine });
    expect(interfaces(none.stdout as string)).toEqual(['lo']);
    const host = await runTool(busybox, ['cat', '/proc/net/dev'], [], { engine, network: 'host' });
    expect(interfaces(host.stdout as string)).toEqual(interfaces(readFileSync('/proc/net/dev', 'utf8')));
    expect(interfaces(host.stdout as string).length).toBeGreaterThan(1);
    const error = thrown(() => runTool(busybox, ['true'], [], { engine, network: 'bridge' }));
    expect(error.field).toBe('options.network');
    expect(error.message).toContain('"host"');
  });

  it('refuses what it cannot enforce, before anything starts, naming the way out', () => {
    expect(thrown(() => runTool(busybox, ['true'], [], { engine, memory: '1g' })).message).toMatch(/options\.memory.*cgroups.*slurm/i);
    expect(thrown(() => runTool(busybox, ['true'], [], { engine, cpus: 2 })).field).toBe('options.cpus');
    expect(thrown(() => runTool(busybox, ['true'], [], { engine, gpus: 'all' })).field).toBe('options.gpus');
    expect(thrown(() => runTool(busybox, ['true'], [], { engine, user: '4242:4242' })).field).toBe('options.user');
    expect(thrown(() => runTool(busybox, ['true'], [], { engine, user: 'image' })).field).toBe('options.user');
    expect(thrown(() => runTool(busybox, ['true'], [], { engine, env: { PEM: 'line 1\nline 2' } })).field).toBe('options.env.PEM');
  });

  it("the tool's variables never appear in a process's arguments, and their file is gone after the run", async () => {
    const secret = `s3cret-${Date.now()}`;
    const run = runTool(busybox, ['sh', '-c', 'echo "$TOKEN"; sleep 2'], [], { engine, env: { TOKEN: secret } });
    const seen: string[] = [];
    const watching = setInterval(() => seen.push(...processesWith(secret)), 50);
    const result = await run.finally(() => clearInterval(watching));
    expect(result.stdout).toBe(`${secret}\n`);
    expect(seen).toEqual([]);
    const leftovers = readdirSync(tmpdir()).filter((name) => name.startsWith('tooldock-ch-') && name.endsWith('.env'));
    expect(leftovers.filter((name) => name.includes(`-${process.pid}-`))).toEqual([]);
  });

  it('stdin in, binary-safe output streamed out, exit codes as the tool gave them', async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 10, 13]);
    const echoed = await runTool(busybox, ['cat'], [], { engine, stdin: bytes, encoding: 'buffer' });
    expect(Buffer.compare(echoed.stdout as Buffer, bytes)).toBe(0);
    const run = runTool(busybox, ['sh', '-c', 'for i in 1 2 3; do echo line$i; echo err$i >&2; done; exit 3'], [], { engine, reject: false });
    const seen: string[] = [];
    for await (const { stream, line } of run.lines()) seen.push(`${stream}:${line}`);
    expect((await run).exitCode).toBe(3);
    expect(seen.filter((l) => l.startsWith('stdout'))).toEqual(['stdout:line1', 'stdout:line2', 'stdout:line3']);
    expect(seen.filter((l) => l.startsWith('stderr'))).toEqual(['stderr:err1', 'stderr:err2', 'stderr:err3']);
  });

  it("a command missing from the image is 127, one that cannot execute 126 (from ch-run's own message)", async () => {
    const missing = await failure(runTool(busybox, ['no-such-tool'], [], { engine }));
    expect(missing.exitCode).toBe(127);
    expect(missing.shortMessage).toMatch(/not found/);
    const data = join(dir, 'noexec');
    mkdirSync(data);
    writeFileSync(join(data, 'script'), 'echo hi\n');
    chmodSync(join(data, 'script'), 0o644);
    const notExecutable = await failure(runTool(busybox, [join(data, 'script')], [data], { engine }));
    expect(notExecutable.exitCode).toBe(126);
    // A tool that exits 1 by itself stays 1.
    expect((await failure(runTool(busybox, ['sh', '-c', 'echo "can\'t execve(2)" >&2; exit 1'], [], { engine }))).exitCode).toBe(1);
  });

  it('timeoutMs and cancel kill the whole process tree, also processes that left the process group', async () => {
    const marker = `tooldock-ch-marker-${Date.now()}`;
    const called = Date.now();
    const timedOut = await failure(
      runTool(busybox, ['sh', '-c', `setsid sh -c 'sleep 300; :' ${marker}-a & sh -c 'sleep 300; :' ${marker}-b & wait`], [], {
        engine,
        timeoutMs: 1500,
      }),
    );
    expect(timedOut.timedOut).toBe(true);
    expect(processesWith(marker)).toEqual([]);
    // It ran until the timeout, which counts from the call (durationMs counts from the tool's start,
    // after the image lookup and staging — under load that can take more than a tenth of the 1.5 s).
    expect(timedOut.durationMs).toBeGreaterThan(0);
    expect(Date.now() - called).toBeGreaterThanOrEqual(1500);
    const controller = new AbortController();
    const run = runTool(busybox, ['sh', '-c', `setsid sh -c 'sleep 300; :' ${marker}-c & sh -c 'sleep 300; :' ${marker}-d`], [], {
      engine,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 1000);
    const canceled = await failure(run);
    expect(canceled.canceled).toBe(true);
    expect(processesWith(marker)).toEqual([]);
  });

  it('the cache keys on the image id from the store and serves a second identical call without running it', async () => {
    const data = join(dir, 'cached');
    mkdirSync(data);
    writeFileSync(join(data, 'in.txt'), 'cache me');
    const cache = join(dir, 'cache-dir');
    const first = await runTool(busybox, ['sh', '-c', 'cat in.txt; date +%s%N'], [data], { engine, cwd: data, cache });
    const second = await runTool(busybox, ['sh', '-c', 'cat in.txt; date +%s%N'], [data], { engine, cwd: data, cache });
    expect(first.cached).toBeFalsy();
    expect(second.cached).toBe(true);
    expect(second.stdout).toBe(first.stdout);
    expect(second.imageId).toBe(first.imageId);
  });

  it('leaves a run record and fans out with runMany', async () => {
    const results = await runMany(
      Array.from({ length: 4 }, (_, i) => ({ image: busybox, args: ['sh', '-c', `echo ${i}`] })),
      { engine, concurrency: 2 },
    );
    expect(results.map((r) => (r.stdout as string).trim())).toEqual(['0', '1', '2', '3']);
    const records = await runRecords();
    expect(records.some((r) => r.imageId === results[0]!.imageId)).toBe(true);
  });

  it('doctor() lists ch-run, the store and what it enforces', async () => {
    const report = await doctor({ engine });
    expect(report.engine.reachable).toBe(true);
    expect(report.charliecloud?.namespaces).toBe(true);
    expect(report.charliecloud?.store.images.some((i) => i.names.includes(busybox))).toBe(true);
    expect(report.text).toMatch(/read-only mounts: .*namespace/);
    expect(report.text).toMatch(/memory.*refused/);
    expect(report.text).toMatch(/env: .*private file/);
  });
});
