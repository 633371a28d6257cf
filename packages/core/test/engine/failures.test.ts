import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '#test-support/temp-dir.js';
import { connect, runTool, ToolError } from '@tooldock/core';
import { testImages } from '#test-support/test-images.js';
import { rejection } from '#test-support/tool-rejection.js';
import { oomAfterStart } from '#test-support/oom-tool.js';

const { busybox } = testImages();

async function containerGone(id: string): Promise<boolean> {
  try {
    await connect().docker.getContainer(id).inspect();
    return false;
  } catch (error) {
    return (error as { statusCode?: number }).statusCode === 404;
  }
}

describe('failures', () => {
  it('rejects a non-zero exit with a ToolError naming image, command and stderr tail', async () => {
    const error = await rejection(runTool(busybox, ['sh', '-c', 'echo some output; echo "samtools: no such file" >&2; exit 3']));
    expect(error).toBeInstanceOf(ToolError);
    expect(error.exitCode).toBe(3);
    expect(error.shortMessage).toBe('Command failed with exit code 3: sh');
    expect(error.message).toContain(busybox);
    expect(error.message).toContain(`sh -c 'echo some output; echo "samtools: no such file" >&2; exit 3'`);
    expect(error.stderrTail).toBe('samtools: no such file');
    expect(error.stdout).toBe('some output\n');
    expect(error.killed).toBe(false);
    expect(error.oomKilled).toBe(false);
    expect(await containerGone(error.containerId!)).toBe(true);
  });

  it('returns the failed result with reject: false', async () => {
    const result = await runTool(busybox, ['sh', '-c', 'echo why >&2; exit 5'], [], { reject: false });
    expect(result.exitCode).toBe(5);
    expect(result.failed).toBe(true);
    expect(result.stderr).toBe('why\n');
    const ok = await runTool(busybox, ['true'], [], { reject: false });
    expect(ok.failed).toBe(false);
  });

  it('reports oomKilled only for a real OOM kill', async () => {
    // Released once started: an OOM kill before containerd watches the cgroup is never reported (oom-tool.ts).
    const tool = oomAfterStart(256);
    const oom = await rejection(runTool(busybox, tool.args, [], { ...tool.options, memory: '32m' }));
    expect(oom.exitCode).toBe(137);
    expect(oom.oomKilled).toBe(true);
    expect(oom.exitCode).toBe(137);
    expect(oom.shortMessage).toMatch(/ran out of memory \(memory limit 32 MiB\)/);

    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const run = runTool(busybox, ['sleep', '60'], [], { onEvent: (e) => e.type === 'container:started' && started() });
    await running;
    await connect()
      .docker.getContainer(await run.containerId)
      .kill();
    const killed = await rejection(run);
    expect(killed.exitCode).toBe(137);
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.killed).toBe(true);
    expect(killed.oomKilled).toBe(false);
    expect(killed.shortMessage).toBe('Command was killed with SIGKILL (exit code 137): sleep');
  });

  it('kills and removes the container on timeout', async () => {
    // timeoutMs counts from the call (it covers the pull and the create too): room to start.
    const run = runTool(busybox, ['sleep', '60'], [], { timeoutMs: 3000 });
    const error = await rejection(run);
    expect(error.timedOut).toBe(true);
    expect(error.killed).toBe(true);
    expect(error.shortMessage).toBe('Command timed out after 3000 ms and was killed: sleep');
    expect(await containerGone(await run.containerId)).toBe(true);
  });

  it('kills and removes the container on abort and on cancel()', async () => {
    const controller = new AbortController();
    const run = runTool(busybox, ['sleep', '60'], [], { signal: controller.signal });
    const id = await run.containerId;
    controller.abort();
    const error = await rejection(run);
    expect(error.canceled).toBe(true);
    expect(await containerGone(id)).toBe(true);

    const other = runTool(busybox, ['sleep', '60']);
    await other.containerId;
    other.cancel();
    expect((await rejection(other)).canceled).toBe(true);

    const before = new AbortController();
    before.abort();
    const never = await rejection(runTool(busybox, ['true'], [], { signal: before.signal }));
    expect(never.canceled).toBe(true);
    expect(never.containerId).toBeUndefined();
  });

  it('leaves no complete-looking file when the tool fails', async () => {
    const dir = tempDir('fail');
    const file = join(dir, 'result.sam');
    await rejection(runTool(busybox, ['sh', '-c', 'seq 1 5000; exit 1'], [], { stdout: { file } }));
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);

    // An existing file is replaced only by a successful run.
    writeFileSync(file, 'previous good result\n');
    await rejection(runTool(busybox, ['sh', '-c', 'echo partial; exit 1'], [], { stdout: { file } }));
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(file, 'utf8')).toBe('previous good result\n');
  });

  it('reports a command missing from the image as exit code 127, as a shell would', async () => {
    const error = await rejection(runTool(busybox, ['no-such-tool', '--version']));
    expect(error.shortMessage).toBe('Command not found in the image (exit code 127): no-such-tool');
    expect(error.exitCode).toBe(127);
    expect(error.stderrTail).toMatch(/no-such-tool.*(executable file not found|no such file)/);
    expect(await containerGone(error.containerId!)).toBe(true);
    const absolute = await rejection(runTool(busybox, ['/no/such/tool']));
    expect(absolute.exitCode).toBe(127);
    const notExecutable = await rejection(runTool(busybox, ['/etc/passwd']));
    expect(notExecutable.exitCode).toBe(126);
    expect(notExecutable.shortMessage).toBe('Command is not executable (exit code 126): passwd');
  });

  it('with reject: false, a command that cannot start resolves with the exit code `docker run` gives', async () => {
    for (const args of [['no-such-tool'], ['/no/such/tool'], ['/etc/passwd'], ['']]) {
      const cli = spawnSync('docker', ['run', '--rm', '--network', 'none', busybox, ...args], { stdio: 'ignore' }).status;
      const result = await runTool(busybox, args, [], { reject: false });
      expect(result.exitCode, JSON.stringify(args)).toBe(cli);
      expect([126, 127]).toContain(result.exitCode);
      expect(result).toMatchObject({ failed: true, killed: false, stdout: '', stderr: '' });
      expect(result.notes.join('\n')).toMatch(/Command (not found in the image|is not executable) \(exit code 12[67]\).*the runtime said: /);
      expect(await containerGone(result.containerId)).toBe(true);
    }
    // The default stays a ToolError.
    expect((await rejection(runTool(busybox, ['']))).exitCode).toBe(127);
  });

  it('fails clearly on a missing image with pull: "never" and on a pull error', async () => {
    const never = await rejection(runTool('tooldock-test/absent:1', ['true'], [], { pull: 'never' }));
    expect(never.shortMessage).toMatch(/tooldock-test\/absent:1 is not on the daemon .* pull is "never"/);
    const pull = await rejection(runTool('127.0.0.1:1/absent:1', ['true']));
    expect(pull.shortMessage).toMatch(/could not pull 127\.0\.0\.1:1\/absent:1/);
  });
});
