import {
  lstatSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
  readdirSync,
  existsSync,
} from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { connect, isToolError, runMany, runTool, toolSession } from '@tooldock/core';
import { cacheInfo, pruneCache } from '@tooldock/core/cache';
import { hiddenTempName } from '@tooldock/core/advanced';
import { cacheCommand } from '../../../src/bin/cache-command.js';
import { bio, busybox, copyScript, counted, workFolder } from './cache-fixture.js';

describe('result cache (bind mounts)', () => {
  it('serves an unchanged call without a container: same result, outputs restored, unchanged ones left alone', async () => {
    const f = workFolder('hit');
    const mounts = [f.input, `${f.out}:rw`];
    const first = await counted(busybox, copyScript(f), mounts, { cache: f.cache });
    expect(first).toMatchObject({ containers: 1, result: { cached: false, stdout: 'out-line\n', stderr: 'err-line\n' } });

    rmSync(join(f.out, 'b.txt'));
    writeFileSync(join(f.out, 'sub', 'c.txt'), 'edited by the user\n');
    const second = await counted(busybox, copyScript(f), mounts, { cache: f.cache });
    expect(second.containers).toBe(0);
    expect(second.result).toMatchObject({ cached: true, exitCode: 0, stdout: 'out-line\n', stderr: 'err-line\n', imageId: first.result.imageId });
    expect(second.result.containerId).toBe(first.result.containerId);
    expect(readFileSync(join(f.out, 'b.txt'), 'utf8')).toBe('alpha\n');
    expect(readFileSync(join(f.out, 'sub', 'c.txt'), 'utf8')).toBe('nested\n');

    const inode = statSync(join(f.out, 'b.txt')).ino;
    const third = await counted(busybox, copyScript(f), mounts, { cache: f.cache });
    expect(third).toMatchObject({ containers: 0, result: { cached: true } });
    expect(statSync(join(f.out, 'b.txt')).ino).toBe(inode);
    expect(readdirSync(f.out).filter((n) => n.includes('.partial-'))).toEqual([]);
  });

  it('replays a hit through run.stdout, lines() and a { file } sink', async () => {
    const f = workFolder('replay');
    const log = join(f.dir, 'log.txt');
    const options = { cache: f.cache, stdout: { file: log } };
    await runTool(busybox, ['sh', '-c', 'echo one; echo two; echo warn >&2'], [], options);
    rmSync(log);
    const run = runTool(busybox, ['sh', '-c', 'echo one; echo two; echo warn >&2'], [], options);
    const lines: string[] = [];
    for await (const { stream, line } of run.lines()) lines.push(`${stream}:${line}`);
    const result = await run;
    expect(result.cached).toBe(true);
    expect(lines.sort()).toEqual(['stderr:warn', 'stdout:one', 'stdout:two']);
    expect(readFileSync(log, 'utf8')).toBe('one\ntwo\n');
    expect(result.stdout).toBeUndefined();
  });

  it('runs the tool again when an input changes: content, or mtime alone in stat mode', async () => {
    const f = workFolder('input');
    const mounts = [f.input, `${f.out}:rw`];
    await counted(busybox, copyScript(f), mounts, { cache: f.cache });
    writeFileSync(join(f.input, 'a.txt'), 'bravo\n');
    expect((await counted(busybox, copyScript(f), mounts, { cache: f.cache })).containers).toBe(1);
    expect(readFileSync(join(f.out, 'b.txt'), 'utf8')).toBe('bravo\n');
    utimesSync(join(f.input, 'a.txt'), new Date(), new Date(Date.now() + 5_000));
    expect((await counted(busybox, copyScript(f), mounts, { cache: f.cache })).containers).toBe(1);
    writeFileSync(join(f.input, 'new.txt'), 'x');
    expect((await counted(busybox, copyScript(f), mounts, { cache: f.cache })).containers).toBe(1);
    expect((await counted(busybox, copyScript(f), mounts, { cache: f.cache })).containers).toBe(0);
  });

  it('in content mode, a touched input is a hit and changed bytes are a miss', async () => {
    const f = workFolder('content');
    const mounts = [f.input, `${f.out}:rw`];
    const cache = { dir: f.cache, inputs: 'content' as const };
    await counted(busybox, copyScript(f), mounts, { cache });
    utimesSync(join(f.input, 'a.txt'), new Date(), new Date(Date.now() + 5_000));
    expect((await counted(busybox, copyScript(f), mounts, { cache })).containers).toBe(0);
    writeFileSync(join(f.input, 'a.txt'), 'alphb\n'); // same size
    utimesSync(join(f.input, 'a.txt'), new Date(), new Date(Date.now() + 5_000));
    expect((await counted(busybox, copyScript(f), mounts, { cache })).containers).toBe(1);
    expect(readFileSync(join(f.out, 'b.txt'), 'utf8')).toBe('alphb\n');
  });

  it('runs the tool again when args, env or cwd change', async () => {
    const f = workFolder('args');
    const base = { cache: f.cache, env: { GREETING: 'hello' }, cwd: '/' };
    const args = ['sh', '-c', 'echo "$GREETING from $(pwd)"'];
    await counted(busybox, args, [], base);
    expect((await counted(busybox, args, [], base)).containers).toBe(0);
    expect((await counted(busybox, [...args, 'extra'], [], base)).containers).toBe(1);
    const env = await counted(busybox, args, [], { ...base, env: { GREETING: 'bye' } });
    expect(env).toMatchObject({ containers: 1, result: { stdout: 'bye from /\n' } });
    const cwd = await counted(busybox, args, [], { ...base, cwd: '/tmp' });
    expect(cwd).toMatchObject({ containers: 1, result: { stdout: 'hello from /tmp\n' } });
  });

  describe('images', () => {
    const engine = connect();
    const retagged = `tooldock-test/cache-retag:p${process.pid}`; // per process: concurrent checkouts share the daemon
    afterAll(async () => {
      await engine.docker
        .getImage(retagged)
        .remove()
        .catch(() => {});
    });

    it('keys a tag by the image it names now: a retagged image is a miss', async () => {
      const f = workFolder('retag');
      const [repo, tag] = retagged.split(':') as [string, string];
      await engine.docker.getImage(busybox).tag({ repo, tag });
      const args = ['sh', '-c', 'echo same'];
      await counted(retagged, args, [], { cache: f.cache });
      expect((await counted(retagged, args, [], { cache: f.cache })).containers).toBe(0);
      await engine.docker.getImage(bio).tag({ repo, tag });
      const after = await counted(retagged, args, [], { cache: f.cache });
      expect(after.containers).toBe(1);
      expect(after.result.imageId).toBe((await engine.images.inspect(bio))!.Id);
    });

    it('an image named by its id is served without asking any daemon', async () => {
      const f = workFolder('by-id');
      const id = (await engine.images.inspect(busybox))!.Id;
      await counted(id, ['sh', '-c', 'echo by-id'], [], { cache: f.cache });
      const unreachable = connect({ socketPath: join(f.dir, 'no-daemon.sock') });
      const hit = await counted(id, ['sh', '-c', 'echo by-id'], [], { cache: f.cache, engine: unreachable });
      expect(hit).toMatchObject({ containers: 0, result: { cached: true, stdout: 'by-id\n' } });
    });
  });

  it('never stores a failed or timed-out run', async () => {
    const f = workFolder('fail');
    const failing = ['sh', '-c', 'echo partial > ' + f.out + '/x.txt; exit 3'];
    for (let i = 0; i < 2; i++) {
      expect(await counted(busybox, failing, [`${f.out}:rw`], { cache: f.cache, reject: false })).toMatchObject({
        containers: 1,
        result: { exitCode: 3, cached: false },
      });
    }
    const slow = ['sh', '-c', 'sleep 3; echo done'];
    await expect(runTool(busybox, slow, [], { cache: f.cache, timeoutMs: 300 })).rejects.toMatchObject({ timedOut: true });
    expect(await counted(busybox, ['sh', '-c', 'sleep 0.2; echo done'], [], { cache: f.cache })).toMatchObject({ containers: 1 });
    expect((await cacheInfo({ dir: f.cache })).entries.map((e) => e.command)).toEqual(["sh -c 'sleep 0.2; echo done'"]);
  });

  it('runs two identical calls at once only once', async () => {
    const f = workFolder('concurrent');
    const args = ['sh', '-c', `sleep 1; echo once >> ${f.out}/runs.txt; echo done`];
    const both = await Promise.all([0, 1].map(() => counted(busybox, args, [`${f.out}:rw`], { cache: f.cache })));
    expect(both.map((b) => b.containers).sort()).toEqual([0, 1]);
    expect(both.map((b) => b.result.cached).sort()).toEqual([false, true]);
    expect(readFileSync(join(f.out, 'runs.txt'), 'utf8')).toBe('once\n');
  });

  it('hashes string stdin into the key; a stream stdin is not cacheable', async () => {
    const f = workFolder('stdin');
    await counted(busybox, ['cat'], [], { cache: f.cache, stdin: 'one' });
    expect(await counted(busybox, ['cat'], [], { cache: f.cache, stdin: 'one' })).toMatchObject({ containers: 0, result: { stdout: 'one' } });
    expect(await counted(busybox, ['cat'], [], { cache: f.cache, stdin: 'two' })).toMatchObject({ containers: 1, result: { stdout: 'two' } });
    for (let i = 0; i < 2; i++) {
      expect((await counted(busybox, ['cat'], [], { cache: f.cache, stdin: Readable.from(['s']) })).containers).toBe(1);
    }
  });

  it('keys a stdin piped from a cached call by that call, and feeds a miss from its stored output', async () => {
    const f = workFolder('piped');
    const pipe = async (consumerArgs: string[]) => {
      let containers = 0;
      const onEvent = (e: { type: string }) => {
        if (e.type === 'container:created') containers++;
      };
      const producer = runTool(busybox, ['sh', '-c', 'seq 1 5000'], [], { cache: f.cache, stdout: 'ignore', onEvent });
      const consumer = runTool(busybox, consumerArgs, [], { cache: f.cache, stdin: producer.stdout, onEvent });
      const [made, used] = await Promise.all([producer, consumer]);
      return { containers, cached: [made.cached, used.cached], stdout: String(used.stdout).trim() };
    };
    expect(await pipe(['wc', '-l'])).toEqual({ containers: 2, cached: [false, false], stdout: '5000' });
    expect(await pipe(['wc', '-l'])).toEqual({ containers: 0, cached: [true, true], stdout: '5000' });
    // The producer is served from the cache; the changed consumer runs on its stored output.
    expect(await pipe(['sh', '-c', 'tail -n 1'])).toEqual({ containers: 1, cached: [true, false], stdout: '5000' });
  });

  it("one folder for data and outputs: a step's key ignores cached outputs it does not name, not those it reads", async () => {
    const f = workFolder('one-folder');
    writeFileSync(join(f.out, 'data.txt'), 'data\n');
    const produce = ['sh', '-c', `cat ${f.out}/data.txt > ${f.out}/made.txt`];
    const consume = ['sh', '-c', `wc -c < ${f.out}/made.txt`];
    const steps = async () =>
      [await counted(busybox, produce, [`${f.out}:rw`], { cache: f.cache }), await counted(busybox, consume, [f.out], { cache: f.cache })].map(
        (s) => s.containers,
      );
    expect(await steps()).toEqual([1, 1]);
    // made.txt (the producer's own output, which it does not read) no longer changes its key.
    expect(await steps()).toEqual([0, 0]);
    writeFileSync(join(f.out, 'made.txt'), 'edited by the user, longer\n');
    // The consumer names made.txt: an edited one is a new key; the producer restores its output.
    expect(await steps()).toEqual([0, 0]);
    writeFileSync(join(f.out, 'data.txt'), 'new data, longer\n');
    expect(await steps()).toEqual([1, 1]);
    const last = await counted(busybox, consume, [f.out], { cache: f.cache });
    expect(last).toMatchObject({ containers: 0, result: { stdout: '17\n' } });
  });

  it('a file the run read from a writable mount must be unchanged for a hit', async () => {
    const f = workFolder('rw-input');
    writeFileSync(join(f.out, 'seed.txt'), 'seed-1\n');
    const args = ['sh', '-c', `cat ${f.out}/seed.txt > ${f.out}/result.txt`];
    await counted(busybox, args, [`${f.out}:rw`], { cache: f.cache });
    writeFileSync(join(f.out, 'unrelated.txt'), 'added later\n');
    expect((await counted(busybox, args, [`${f.out}:rw`], { cache: f.cache })).containers).toBe(0);
    writeFileSync(join(f.out, 'seed.txt'), 'seed-2\n');
    expect((await counted(busybox, args, [`${f.out}:rw`], { cache: f.cache })).containers).toBe(1);
    expect(readFileSync(join(f.out, 'result.txt'), 'utf8')).toBe('seed-2\n');
  });

  it('never writes through a symlink planted where an output goes', async () => {
    const f = workFolder('planted');
    const mounts = [f.input, `${f.out}:rw`];
    await counted(busybox, copyScript(f), mounts, { cache: f.cache });
    const outside = join(f.dir, 'outside.txt');
    const outsideDir = join(f.dir, 'outside-dir');
    writeFileSync(outside, 'precious\n');
    mkdirSync(outsideDir);
    rmSync(join(f.out, 'b.txt'));
    symlinkSync(outside, join(f.out, 'b.txt'));
    rmSync(join(f.out, 'sub'), { recursive: true });
    symlinkSync(outsideDir, join(f.out, 'sub'));
    const hit = await counted(busybox, copyScript(f), mounts, { cache: f.cache });
    expect(hit.containers).toBe(0);
    expect(readFileSync(outside, 'utf8')).toBe('precious\n');
    expect(readdirSync(outsideDir)).toEqual([]);
    expect(lstatSync(join(f.out, 'b.txt')).isFile()).toBe(true);
    expect(lstatSync(join(f.out, 'sub')).isDirectory()).toBe(true);
    expect(readFileSync(join(f.out, 'sub', 'c.txt'), 'utf8')).toBe('nested\n');
  });

  it('a tampered entry naming a path outside its mount runs the tool instead of writing there', async () => {
    const f = workFolder('tampered');
    const args = ['sh', '-c', `echo made > ${f.out}/made.txt`];
    await counted(busybox, args, [`${f.out}:rw`], { cache: f.cache });
    const [shard] = readdirSync(join(f.cache, 'entries'));
    const [name] = readdirSync(join(f.cache, 'entries', shard!));
    const path = join(f.cache, 'entries', shard!, name!);
    const entry = JSON.parse(readFileSync(path, 'utf8')) as { outputs: Array<{ rel: string }> };
    entry.outputs[0]!.rel = '../escaped.txt';
    writeFileSync(path, JSON.stringify(entry));
    rmSync(join(f.out, 'made.txt'));
    expect((await counted(busybox, args, [`${f.out}:rw`], { cache: f.cache })).containers).toBe(1);
    expect(existsSync(join(f.dir, 'escaped.txt'))).toBe(false);
    expect(readFileSync(join(f.out, 'made.txt'), 'utf8')).toBe('made\n');
  });

  // Round three (docs/cache.md): a cache directory that cannot exist is the caller's setting to fix.
  // The call fails at once, naming it, rather than running without the cache it asked for.
  it('a cache that cannot be used (its directory is a file) fails the call with a ToolError naming it, before any container', async () => {
    const f = workFolder('broken');
    const notADir = join(f.dir, 'not-a-dir');
    writeFileSync(notADir, 'x');
    let containers = 0;
    const error = await runTool(busybox, ['sh', '-c', 'echo fine'], [], {
      cache: notADir,
      onEvent: (event) => void (event.type === 'container:created' && containers++),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isToolError(error)).toBe(true);
    expect(containers).toBe(0);
    expect((error as Error).message).toContain(notADir);
    expect((error as Error).message).toContain('choose another directory');
  });

  it("serves calls writing hidden temp names (as recipes do) under this call's names", async () => {
    const f = workFolder('partial');
    const final = join(f.out, 'x.txt');
    const produce = async () => {
      const temp = hiddenTempName(final);
      const run = await counted(busybox, ['sh', '-c', `cat ${f.input}/a.txt > ${temp}`], [f.input, `${f.out}:rw`], { cache: f.cache });
      renameSync(temp, final);
      return run;
    };
    expect((await produce()).containers).toBe(1);
    rmSync(final);
    expect((await produce()).containers).toBe(0);
    expect(readFileSync(final, 'utf8')).toBe('alpha\n');
  });

  it('caches runMany tasks and session calls', async () => {
    const f = workFolder('fan-out');
    // Two tasks writing into one folder at once: each keeps only the file it names.
    const tasks = ['a', 'b'].map((name) => ({
      image: busybox,
      args: ['sh', '-c', `sleep 0.5; echo ${name} > ${f.out}/${name}.txt`],
      mounts: [`${f.out}:rw`],
      options: { cache: f.cache },
    }));
    expect((await runMany(tasks, { concurrency: 2 })).map((r) => r.cached)).toEqual([false, false]);
    rmSync(join(f.out, 'a.txt'));
    writeFileSync(join(f.out, 'b.txt'), 'edited\n');
    expect((await runMany([tasks[0]!])).map((r) => r.cached)).toEqual([true]);
    expect(readFileSync(join(f.out, 'a.txt'), 'utf8')).toBe('a\n');
    expect(readFileSync(join(f.out, 'b.txt'), 'utf8')).toBe('edited\n'); // not task a's to restore
    expect((await runMany(tasks)).map((r) => r.cached)).toEqual([true, true]);
    expect(readFileSync(join(f.out, 'b.txt'), 'utf8')).toBe('b\n');

    // Files nobody names, written into one folder at once, cannot be attributed: not stored.
    const unnamed = ['c', 'd'].map((name) => ({
      image: busybox,
      args: ['sh', '-c', `sleep 0.5; cd ${f.out} && echo ${name} > ${name}-unnamed.txt`],
      mounts: [`${f.out}:rw`],
      options: { cache: f.cache },
    }));
    await runMany(unnamed, { concurrency: 2 });
    expect((await runMany(unnamed, { concurrency: 2 })).map((r) => r.cached)).toEqual([false, false]);

    const session = await toolSession(busybox, [f.input, `${f.out}:rw`], { cache: f.cache });
    try {
      const args = ['sh', '-c', `cat ${f.input}/a.txt > ${f.out}/s.txt`];
      expect((await session.run(args)).cached).toBe(false);
      expect((await session.run(args)).cached).toBe(true);
      writeFileSync(join(f.input, 'a.txt'), 'changed\n');
      // The session copied nothing (bind mounts): the changed input is what the exec reads.
      expect((await session.run(args)).cached).toBe(false);
      expect(readFileSync(join(f.out, 's.txt'), 'utf8')).toBe('changed\n');
    } finally {
      await session.close();
    }
  });

  it('lists and prunes the cache (API and CLI); a pruned call runs again', async () => {
    const f = workFolder('prune');
    await counted(busybox, ['sh', '-c', 'echo one'], [], { cache: f.cache });
    await counted(busybox, ['sh', '-c', 'echo two'], [], { cache: f.cache });
    const info = await cacheInfo({ dir: f.cache });
    expect(info.entries.map((e) => e.command).sort()).toEqual(["sh -c 'echo one'", "sh -c 'echo two'"]);
    expect(info.bytes).toBeGreaterThan(0);
    const printed: string[] = [];
    expect(await cacheCommand(['ls', '--dir', f.cache], (l) => printed.push(l))).toBe(0);
    expect(printed.at(-1)).toMatch(/^2 cached call\(s\)/);
    expect(await cacheCommand(['prune', '--dir', f.cache, '--older-than', '1h'], (l) => printed.push(l))).toBe(0);
    expect((await cacheInfo({ dir: f.cache })).entries).toHaveLength(2);
    expect(await cacheCommand(['prune', '--dir', f.cache, '--max-size', 'lots'], (l) => printed.push(l))).toBe(2);
    expect(await pruneCache({ dir: f.cache, maxSize: 0 })).toMatchObject({ removed: 2 });
    expect((await cacheInfo({ dir: f.cache })).entries).toEqual([]);
    expect((await counted(busybox, ['sh', '-c', 'echo one'], [], { cache: f.cache })).containers).toBe(1);
    expect(existsSync(f.cache)).toBe(true);
  });
});
