import { execFile } from 'node:child_process';
import { chownSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { connect, InvalidInputError, runTool, type MountSpec } from '@tooldock/core';
import { buildPackages, repoRoot } from '#test-support/built-packages.js';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

const { bio } = testImages();

// The threat model: a tool must never reach the daemon's socket, whatever directory it is
// given. The probe speaks HTTP over a unix socket with the bio image's perl (IO::Socket::UNIX)
// and prints, per path, the status line it got or why it could not connect.
const PROBE = [
  'for my $p (@ARGV) {',
  '  my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $p);',
  '  if (!$s) { print "$p: unreachable ($!)\\n"; next }',
  '  print $s "GET /version HTTP/1.0\\r\\nHost: docker\\r\\n\\r\\n";',
  '  my $line = <$s> // "no answer\\n";',
  '  print "$p: $line";',
  '}',
].join('\n');
const probeArgs = (paths: string[]) => ['perl', '-MIO::Socket::UNIX', '-e', PROBE, ...paths];
const answered = /HTTP\/1\.\d 200/;

/** The engine's socket as the host names it, and every spelling a tool might find it under. */
const socket = connect().target.socketPath!;
const socketReal = realpathSync(socket);
const inTool = (target: string, hostPath: string) => (target === '/' ? hostPath : target + hostPath);
const candidates = (target: string) => [...new Set([socket, socketReal].map((p) => inTool(target, p)))];

describe('the daemon socket never reaches a tool', () => {
  const cases: Array<{ name: string; mounts: MountSpec[]; paths: string[] }> = [
    { name: '/run', mounts: ['/run'], paths: candidates('/') },
    { name: '/var/run', mounts: ['/var/run'], paths: candidates('/') },
    { name: '/ read-only at /host', mounts: [{ path: '/', target: '/host' }], paths: candidates('/host') },
  ];

  for (const { name, mounts, paths } of cases) {
    it(`masks it inside a mounted ${name}`, async () => {
      const result = await runTool(bio, probeArgs(paths), mounts);
      expect(result.stdout).toMatch(/unreachable/);
      expect(result.stdout).not.toMatch(answered);
    });
  }

  it('the probe does reach it when the caller opts in with exposeDaemonSocket', async () => {
    const result = await runTool(bio, probeArgs(candidates('/')), ['/run'], { exposeDaemonSocket: true });
    expect(result.stdout).toMatch(answered);
  });

  it('refuses a mount that is the socket itself, unless exposeDaemonSocket', async () => {
    // Refused before any container exists: thrown by runTool, or the run's rejection (itself or as its cause).
    const error: unknown = await (async () => runTool(bio, probeArgs([socket]), [socket]))().then(
      () => undefined,
      (e: unknown) => e,
    );
    const refusal = error instanceof InvalidInputError ? error : (error as { cause?: unknown } | undefined)?.cause;
    expect(refusal).toBeInstanceOf(InvalidInputError);
    expect(refusal).toMatchObject({
      field: expect.stringMatching(/^mounts/),
      value: socket,
      message: expect.stringMatching(/daemon's socket.*exposeDaemonSocket/s),
    });
    const exposed = await runTool(bio, probeArgs([socket]), [socket], { exposeDaemonSocket: true });
    expect(exposed.stdout).toMatch(answered);
  });

  describe("a non-root caller in the socket's group", () => {
    const uid = 4321;
    const socketGid = statSync(socket).gid;
    let dir: string;

    beforeAll(async () => {
      await buildPackages();
      dir = tempDir('socket-group');
      chownSync(dir, uid, uid);
    }, 120_000);

    /** Runs the probe from a child process that is uid 4321 with the socket's group as a supplementary group. */
    async function probeAsGroupMember(options: string): Promise<{ groups: string[]; probe: string }> {
      const script = join(dir, `as-member-${Math.random().toString(36).slice(2)}.mjs`);
      writeFileSync(
        script,
        [
          // Supplementary groups first (only root may set them), then drop to the caller's ids.
          `process.setgroups([${socketGid}]); process.setgid(${uid}); process.setuid(${uid});`,
          `const { runTool } = await import(${JSON.stringify(join(repoRoot, 'packages/core/dist/index.js'))});`,
          `const r = await runTool(${JSON.stringify(bio)}, ['sh', '-c', 'id -G; exec "$@"', 'sh', ...${JSON.stringify(probeArgs(candidates('/')))}], ['/run'], ${options});`,
          'process.stdout.write(r.stdout);',
        ].join('\n'),
      );
      const { stdout } = await promisify(execFile)(process.execPath, [script], { cwd: dir });
      const [ids = '', ...probe] = stdout.split('\n');
      return { groups: ids.trim().split(' '), probe: probe.join('\n') };
    }

    it('does not pass that group on to the tool, and the tool cannot reach the socket', async () => {
      const { groups, probe } = await probeAsGroupMember('{}');
      expect(groups[0]).toBe(String(uid));
      expect(groups).not.toContain(String(socketGid));
      expect(probe).not.toMatch(answered);
    });

    it('passes it on with exposeDaemonSocket (the tool may then drive the daemon)', async () => {
      const { groups, probe } = await probeAsGroupMember('{ exposeDaemonSocket: true }');
      expect(groups).toContain(String(socketGid));
      expect(probe).toMatch(answered);
    });
  });
});
