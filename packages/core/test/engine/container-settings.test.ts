import { chmodSync, chownSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '#test-support/temp-dir.js';
import { connect, runTool, type ToolEvent } from '@tooldock/core';
import { session } from '@tooldock/core/docker';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();

describe('container settings', () => {
  it('labels containers with the session, pid and tool, and has no network by default', async () => {
    const run = runTool(busybox, ['sleep', '30'], [], { labels: { project: 'demo' } });
    const info = await connect()
      .docker.getContainer(await run.containerId)
      .inspect();
    run.cancel();
    await run.catch(() => {});
    expect(info.Config.Labels).toMatchObject({
      'tooldock.session': session.id,
      'tooldock.pid': String(process.pid),
      'tooldock.tool': 'sleep',
      project: 'demo',
    });
    expect(info.HostConfig.NetworkMode).toBe('none');
    expect(info.HostConfig.AutoRemove).toBe(false);
    expect(info.Config.Tty).toBe(false);
  });

  it('runs as the caller by default, or as the given uid:gid with a writable HOME', async () => {
    const auto = await runTool(busybox, ['sh', '-c', 'id -u; id -g']);
    expect(auto.stdout).toBe(`${process.getuid!()}\n${process.getgid!()}\n`);
    expect(auto.user).toBe(`${process.getuid!()}:${process.getgid!()}`);

    const other = await runTool(busybox, ['sh', '-c', 'id -u; id -g; echo $HOME; touch $HOME/probe-$$ && echo writable'], [], { user: '4321:8765' });
    expect(other.stdout).toBe('4321\n8765\n/tmp\nwritable\n');
  });

  it('mounts read-only by default, writable where asked, at the same path', async () => {
    const input = tempDir('in');
    const output = tempDir('out');
    chownSync(output, 1000, 1000);
    chmodSync(input, 0o755);
    writeFileSync(join(input, 'reads.txt'), 'ACGT\n');
    const ok = await runTool(busybox, ['sh', '-c', `cat ${input}/reads.txt > ${output}/copy.txt`], [input, `${output}:rw`], { user: '1000:1000' });
    expect(ok.mounts).toEqual([
      { target: input, source: { type: 'bind', path: input }, readOnly: true, localPath: input },
      { target: output, source: { type: 'bind', path: output }, readOnly: false, localPath: output },
    ]);
    expect(readFileSync(join(output, 'copy.txt'), 'utf8')).toBe('ACGT\n');
    expect(statSync(join(output, 'copy.txt')).uid).toBe(1000);

    const refused = await runTool(busybox, ['sh', '-c', `touch ${input}/new`], [input], { reject: false });
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toMatch(/Read-only file system/);

    const moved = await runTool(busybox, ['cat', '/inputs/reads.txt'], [{ path: input, target: '/inputs' }]);
    expect(moved.stdout).toBe('ACGT\n');
  });

  it('applies env, cwd, entrypoint, cpus and memory', async () => {
    const result = await runTool(busybox, ['-c', 'echo $GREETING; pwd'], [], {
      env: { GREETING: 'hello' },
      cwd: '/tmp',
      entrypoint: 'sh',
      cpus: 0.5,
      memory: '64m',
    });
    expect(result.stdout).toBe('hello\n/tmp\n');
  });

  it('reports lifecycle events in order', async () => {
    const events: ToolEvent['type'][] = [];
    await runTool(busybox, ['true'], [], { onEvent: (e) => events.push(e.type) });
    expect(events).toEqual(['image:present', 'container:created', 'container:started', 'container:exited', 'container:removed']);
  });
});
