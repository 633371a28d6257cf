import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool } from '@tooldock/core';
import { DockerEngine } from '@tooldock/core/docker';
import { SSH_TEST_USER, SshServer } from '#test-support/ssh-server.js';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();

describe('a daemon reached over ssh:// (sshd on 127.0.0.1, docker system dial-stdio)', () => {
  const sshd = new SshServer();
  beforeAll(() => sshd.start());
  afterAll(() => sshd.stop());

  const engine = () =>
    new DockerEngine({
      host: `ssh://${SSH_TEST_USER}@127.0.0.1:${sshd.port}`,
      ssh: { privateKey: readFileSync(sshd.clientKey), knownHostsFile: sshd.knownHosts },
    });

  it('runs tools with stdin, output and copied mounts, over one ssh login per engine', async () => {
    const before = sshd.logins();
    const remote = engine();
    const data = tempDir('ssh');
    writeFileSync(join(data, 'in.txt'), 'over ssh\n');
    const piped = await runTool(busybox, ['tr', 'a-z', 'A-Z'], [], { engine: remote, stdin: 'binary-safe \u0000 bytes\n' });
    expect(piped.stdout).toBe('BINARY-SAFE \u0000 BYTES\n');
    const copied = await runTool(busybox, ['sh', '-c', `rev ${data}/in.txt > ${data}/out.txt`], [`${data}:rw`], { engine: remote });
    expect(copied.mounts[0]?.source).toEqual({ type: 'copy' });
    expect(readFileSync(join(data, 'out.txt'), 'utf8')).toBe('hss revo\n');
    // ~20 API calls above, in two runs that overlap calls: all on one connection.
    expect(sshd.logins() - before).toBeLessThanOrEqual(2);
  });

  it('refuses a host whose key is not in known_hosts', async () => {
    const impostor = new DockerEngine({
      host: `ssh://${SSH_TEST_USER}@127.0.0.1:${sshd.port}`,
      ssh: { privateKey: readFileSync(sshd.clientKey), knownHostsFile: join(tempDir('empty-known-hosts'), 'known_hosts') },
    });
    await expect(runTool(busybox, ['true'], [], { engine: impostor })).rejects.toThrow(
      /host key is not in .*known_hosts; connect once with `ssh -p \d+ tooldock-ssh@127\.0\.0\.1`/,
    );
  });
});
