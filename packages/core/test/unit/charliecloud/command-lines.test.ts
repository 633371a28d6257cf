import { describe, expect, it } from 'vitest';
import { chRunCommand, chRunEnvFile } from '../../../src/backends/charliecloud/ch-run-command.js';
import { notRunnableFrom } from '../../../src/backends/charliecloud/ch-run-tool.js';
import { toolCommand } from '../../../src/backends/charliecloud/charliecloud-backend.js';
import { NAMESPACE_SCRIPT } from '../../../src/backends/charliecloud/namespace-script.js';
import { apptainerEnvFile, apptainerExecCommand, apptainerPullCommand } from '../../../src/backends/apptainer/apptainer-command.js';
import { storeKey } from '../../../src/backends/image-store/stored-image.js';

describe('the ch-run command line', () => {
  const plan = {
    imageDir: '/store/images/sha256-ab',
    stageDir: '/tmp/stage',
    network: 'none' as const,
    uid: 1001,
    gid: 1002,
    cwd: '/data',
    mounts: [
      { source: '/real/data', target: '/data', readOnly: true },
      { source: '/real/data/out', target: '/data/out', readOnly: false },
    ],
    env: { HOME: '/tmp', FOO: 'a b=$c' },
    envFile: '/tmp/tooldock-ch-u-1-abcdef.env',
    command: ['samtools', '--version'],
  };

  it('unshare (user ns mapped to root, mount, pid with --kill-child, net for "none"), the script, then ch-run as the caller', () => {
    const argv = chRunCommand(plan, NAMESPACE_SCRIPT);
    expect(argv.slice(0, 10)).toEqual([
      'unshare',
      '--user',
      '--map-root-user',
      '--mount',
      '--pid',
      '--fork',
      '--kill-child',
      '--mount-proc',
      '--net',
      '/bin/sh',
    ]);
    const afterScript = argv.slice(argv.indexOf(NAMESPACE_SCRIPT) + 1);
    expect(afterScript).toEqual([
      'tooldock-ch-run',
      '/tmp/stage',
      '/store/images/sha256-ab',
      'ro',
      '/real/data',
      '/data',
      'rw',
      '/real/data/out',
      '/data/out',
      '--',
      'ch-run',
      '--private-tmp',
      '--uid=1001',
      '--gid=1002',
      '--cd=/data',
      '--env-no-expand',
      '--unset-env=*',
      '--set-env=/tmp/tooldock-ch-u-1-abcdef.env',
      '--bind=/tmp/stage/m1:/data',
      '--bind=/tmp/stage/m2:/data/out',
      '/tmp/stage/root',
      '--',
      'samtools',
      '--version',
    ]);
  });

  it("hides a path inside a mount after all the mounts (a node's spool below a mounted parent)", () => {
    const argv = chRunCommand({ ...plan, hidden: [{ mount: 0, below: '/.tooldock/slurm' }] }, NAMESPACE_SCRIPT);
    const afterScript = argv.slice(argv.indexOf(NAMESPACE_SCRIPT) + 1);
    expect(afterScript.slice(3, afterScript.indexOf('--'))).toEqual([
      'ro',
      '/real/data',
      '/data',
      'rw',
      '/real/data/out',
      '/data/out',
      'hide',
      '1',
      '/.tooldock/slurm',
    ]);
    expect(NAMESPACE_SCRIPT).toContain('mount -t tmpfs -o ro,size=4k,mode=0555 tooldock "$stage/m$src$dst"');
  });

  it('without mounts: no script and no overlay, ch-run on the image directory itself (read-only by default)', () => {
    const argv = chRunCommand({ ...plan, mounts: [] }, NAMESPACE_SCRIPT);
    expect(argv).not.toContain(NAMESPACE_SCRIPT);
    expect(argv.slice(0, 10)).toEqual([
      'unshare',
      '--user',
      '--map-root-user',
      '--mount',
      '--pid',
      '--fork',
      '--kill-child',
      '--mount-proc',
      '--net',
      'ch-run',
    ]);
    expect(argv.slice(-4)).toEqual(['/store/images/sha256-ab', '--', 'samtools', '--version']);
    expect(argv).not.toContain('-w');
  });

  it('variables go in a file, never in the command line (every user can read it); an image value with a newline stays there', () => {
    const secret = { ...plan, env: { HOME: '/tmp', TOKEN: 's3cret', BANNER: 'line 1\nline 2' } };
    const argv = chRunCommand(secret, NAMESPACE_SCRIPT);
    expect(argv.join(' ')).not.toContain('s3cret');
    expect(argv.filter((a) => a.startsWith('--set-env'))).toEqual(['--set-env=/tmp/tooldock-ch-u-1-abcdef.env', "--set-env=BANNER='line 1\nline 2'"]);
    // ch-run strips one pair of single quotes around a value: each is quoted, so quotes in it survive.
    expect(chRunEnvFile({ A: "'quoted'", B: 'a b=$c', C: '', D: 'x\ny' })).toBe("A=''quoted''\nB='a b=$c'\nC=''\n");
  });

  it('"host" keeps the host network (no --net)', () => {
    expect(chRunCommand({ ...plan, network: 'host' }, NAMESPACE_SCRIPT)).not.toContain('--net');
  });

  it('the script remounts read-only binds (submounts too) and shows the image through a read-only overlay', () => {
    expect(NAMESPACE_SCRIPT).toContain('mount -o remount,bind,ro');
    expect(NAMESPACE_SCRIPT).toContain('findmnt -Rrn -o TARGET');
    expect(NAMESPACE_SCRIPT).toMatch(/mount -t overlay -o "lowerdir=\$stage\/points:\$image"/);
    expect(NAMESPACE_SCRIPT).not.toMatch(/upperdir/); // never writable
    expect(NAMESPACE_SCRIPT.trim().split('\n').at(-1)).toBe('exec "$@"');
  });
});

describe('what docker run would execute', () => {
  it('entrypoint + args, the image CMD without args, an explicit entrypoint replaces both', () => {
    const image = { entrypoint: ['/init'], cmd: ['serve'] };
    expect(toolCommand(image, ['a'], undefined)).toEqual(['/init', 'a']);
    expect(toolCommand(image, [], undefined)).toEqual(['/init', 'serve']);
    expect(toolCommand(image, [], ['sh', '-c'])).toEqual(['sh', '-c']);
    expect(toolCommand({ entrypoint: null, cmd: null }, ['x'], '')).toEqual(['x']);
    expect(() => toolCommand({ entrypoint: null, cmd: null }, [], undefined)).toThrow(/command/);
  });
});

describe("ch-run's own messages as exit codes", () => {
  it('ENOENT → 127, EACCES/ENOEXEC → 126, anything else is not ours to map', () => {
    expect(notRunnableFrom("ch-run[23039]: error: can't execve(2): nosuchcmd: No such file or directory (ch_core.c:410 2)\n")?.exitCode).toBe(127);
    expect(notRunnableFrom("ch-run[23040]: error: can't execve(2): /mnt/noexec: Permission denied (ch_core.c:410 13)\n")?.exitCode).toBe(126);
    expect(notRunnableFrom("ch-run[1]: error: can't execve(2): /x: Exec format error (ch_core.c:410 8)")?.exitCode).toBe(126);
    expect(notRunnableFrom("ch-run[1]: error: can't mkdir: /x: Read-only file system (ch_misc.c:409 30)")).toBeUndefined();
    expect(notRunnableFrom("tool says: can't execve(2): x: No such file or directory (ch_core.c:410 2)")).toBeUndefined();
  });
});

describe('the image store key', () => {
  it('an image id without ":" (overlay layers and bind specs split on it); anything else refused', () => {
    expect(storeKey('sha256:' + 'a'.repeat(64))).toBe('sha256-' + 'a'.repeat(64));
    expect(() => storeKey('sha256:../x')).toThrow();
  });
});

// Apptainer: designed, NOT run (no Debian 12 package). Checked against the documented CLI:
// https://apptainer.org/docs/user/latest/cli/apptainer_exec.html and apptainer_pull.html.
describe('the apptainer command lines (documented CLI, never executed here)', () => {
  it('exec: containall, no home, clean env + --env-file, --pwd, --bind src:dst[:ro], --nv for gpus, network none', () => {
    expect(
      apptainerExecCommand({
        image: '/store/images/sha256-ab',
        cwd: '/data',
        network: 'none',
        gpus: true,
        mounts: [
          { source: '/real/data', target: '/data', readOnly: true },
          { source: '/real/out', target: '/out', readOnly: false },
        ],
        envFile: '/spool/run-1/apptainer.env',
        command: ['samtools', 'flagstat', '/data/x.bam'],
      }),
    ).toEqual([
      'apptainer',
      'exec',
      '--containall',
      '--no-home',
      '--cleanenv',
      '--pwd',
      '/data',
      '--net',
      '--network',
      'none',
      '--nv',
      '--bind',
      '/real/data:/data:ro',
      '--bind',
      '/real/out:/out',
      '--env-file',
      '/spool/run-1/apptainer.env',
      '/store/images/sha256-ab',
      'samtools',
      'flagstat',
      '/data/x.bam',
    ]);
    expect(() =>
      apptainerExecCommand({
        image: '/s.sif',
        cwd: '/',
        network: 'host',
        gpus: false,
        mounts: [{ source: '/a:b', target: '/a', readOnly: true }],
        envFile: '/e',
        command: ['x'],
      }),
    ).toThrow(/":"/);
    const masked = apptainerExecCommand({
      image: '/s',
      cwd: '/',
      network: 'none',
      gpus: false,
      mounts: [{ source: '/home/me', target: '/home/me', readOnly: false }],
      masks: { paths: ['/home/me/.tooldock/slurm'], empty: '/spool/run-1/empty' },
      envFile: '/e',
      command: ['x'],
    });
    // The spool's cover comes after the mount it sits in.
    expect(masked.slice(masked.indexOf('--bind'), masked.indexOf('--env-file'))).toEqual([
      '--bind',
      '/home/me:/home/me',
      '--bind',
      '/spool/run-1/empty:/home/me/.tooldock/slurm:ro',
    ]);
  });

  it('the env file: one single-quoted line a variable, commas kept, HOME left to Apptainer (it refuses an override)', () => {
    expect(apptainerEnvFile({ PATH: '/usr/bin:/bin', HOME: '/tmp', GREETING: "a,b'c", EMPTY: '' })).toBe(
      "PATH='/usr/bin:/bin'\nGREETING='a,b'\\''c'\nEMPTY=''\n",
    );
  });

  it('pull into a temp name of the store: docker-daemon:, docker-archive:, docker://', () => {
    expect(apptainerPullCommand({ daemon: 'bio:1' }, '/store/.t.sif')).toEqual([
      'apptainer',
      'pull',
      '--disable-cache',
      '/store/.t.sif',
      'docker-daemon:bio:1',
    ]);
    expect(apptainerPullCommand({ archive: '/x.tar' }, '/t.sif').at(-1)).toBe('docker-archive:/x.tar');
    expect(apptainerPullCommand({ registry: 'quay.io/biocontainers/samtools:1.22.1--h96c455f_0' }, '/t.sif').at(-1)).toBe(
      'docker://quay.io/biocontainers/samtools:1.22.1--h96c455f_0',
    );
  });
});
