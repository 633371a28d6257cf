import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, runTool, toolSession, type RunOptions } from '@tooldock/core';
import { buildPackages, repoRoot } from '#test-support/built-packages.js';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';
import { archiveCalls, nowSeconds } from './account-events.js';

const images = testImages() as ReturnType<typeof testImages> & { notebook_base: string; workbench: string };
const docker = connect().docker;
const mapped: RunOptions = { user: '1000:1000' };

/** What a tool that looks up its user sees, one answer per line. */
const LOOKUPS = 'whoami; id -un; id -gn; perl -e \'print scalar(getpwuid($<)), "\\n"\'; echo "$HOME"';

async function stdoutOf(image: string, args: string[], options: RunOptions = mapped): Promise<string> {
  return String((await runTool(image, args, [], options)).stdout);
}

/** Process warnings emitted while `fn` runs. */
async function warningsDuring(fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const listener = (warning: Error) => seen.push(warning.message);
  process.on('warning', listener);
  try {
    await fn();
    await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
  } finally {
    process.off('warning', listener);
  }
  return seen;
}

// Bind mode on the local daemon. The same in copy mode, DooD and Podman: see the other files here.
describe('a user name for the mapped uid (bind mode)', () => {
  it('whoami, id -un, id -gn and getpwuid (perl) answer for an explicit uid:gid the image does not know, HOME as the run sets it', async () => {
    expect(await stdoutOf(images.bio, ['sh', '-c', LOOKUPS])).toBe('tooldock\ntooldock\ntooldock\ntooldock\n/tmp\n');
    expect(await stdoutOf(images.bio, ['sh', '-c', 'getent passwd 1000'], { ...mapped, env: { HOME: '/work' } })).toBe(
      'tooldock:x:1000:1000:tooldock tool user:/work:/bin/sh\n',
    );
  });

  it("Python's getpass and Java's user.name find it", async () => {
    expect(await stdoutOf(images.notebook_base, ['python3', '-c', 'import getpass; print(getpass.getuser())'])).toBe('tooldock\n');
    const java = await runTool(images.workbench, ['java', '-XshowSettings:properties', '-version'], [], mapped);
    expect(String(java.stderr)).toMatch(/^ {4}user\.name = tooldock$/m);
  });

  it("busybox's own whoami and id too (a different C library reader)", async () => {
    expect(await stdoutOf(images.busybox, ['sh', '-c', 'whoami; id'])).toBe(
      'tooldock\nuid=1000(tooldock) gid=1000(tooldock) groups=1000(tooldock)\n',
    );
  });

  it('leaves the image\'s own entry when it names the uid, and does not touch the image\'s files with user "image"', async () => {
    const asImage = await stdoutOf(images.bio, ['sh', '-c', 'whoami; md5sum /etc/passwd /etc/group'], { user: 'image' });
    expect(asImage.split('\n')[0]).toBe('root');
    const hashes = asImage.split('\n').slice(1).join('\n');
    const asNobody = await stdoutOf(images.bio, ['sh', '-c', 'whoami; id -gn; md5sum /etc/passwd /etc/group'], { user: '65534:65534' });
    expect(asNobody).toBe(`nobody\nnogroup\n${hashes}`);
    // A uid only: the daemon takes the gid from the entry, which names group 0 as before.
    expect(await stdoutOf(images.bio, ['sh', '-c', 'id'], { user: '2000' })).toBe('uid=2000(tooldock) gid=0(root) groups=0(root)\n');
  });

  it('costs one PUT archive per run once the image and uid are known (the GETs happen once)', async () => {
    const label = `h6-identity=${randomBytes(4).toString('hex')}`;
    const since = nowSeconds();
    const image = images.busybox;
    const options = { user: '3456:3456', labels: { [label.split('=')[0]!]: label.split('=')[1]! } };
    for (let i = 0; i < 3; i++) expect(await stdoutOf(image, ['whoami'], options)).toBe('tooldock\n');
    const calls = [...(await archiveCalls(label, since)).values()];
    expect(calls).toEqual([
      ['create', 'archive-path', 'archive-path', 'extract-to-dir'],
      ['create', 'extract-to-dir'],
      ['create', 'extract-to-dir'],
    ]);
  });

  it('gives warm sessions the name once, for every call', async () => {
    await using session = await toolSession(images.bio, [], mapped);
    expect(String((await session.run(['whoami'])).stdout)).toBe('tooldock\n');
    expect(String((await session.run(['id', '-un'])).stdout)).toBe('tooldock\n');
  });
});

describe('a user name for the caller\'s own uid (user "auto")', () => {
  beforeAll(() => buildPackages(), 180_000);

  it('a caller the host does not name either gets "tooldock", its gid a group of that name', async () => {
    const uid = 4321;
    const data = tempDir('identity-auto');
    chownSync(data, uid, uid);
    const script = join(data, 'as-user.mjs');
    writeFileSync(
      script,
      [
        `import { runTool } from ${JSON.stringify(join(repoRoot, 'packages/core/dist/index.js'))};`,
        `const r = await runTool(${JSON.stringify(images.bio)}, ['sh', '-c', 'whoami; id -un; id -gn']);`,
        'console.log(JSON.stringify({ user: r.user, stdout: r.stdout }));',
      ].join('\n'),
    );
    // In the socket's group (as a notebook user in the docker group is), which tools never get.
    const socketGid = statSync('/var/run/docker.sock').gid;
    const { stdout } = await promisify(execFile)('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, `--groups=${socketGid}`, process.execPath, script], {
      cwd: data,
    });
    expect(JSON.parse(stdout)).toEqual({ user: `${uid}:${uid}`, stdout: 'tooldock\ntooldock\ntooldock\n' });
  });
});

/** A local image: busybox changed by `script` (committed, never pushed). */
async function imageFrom(name: string, script: string): Promise<string> {
  const tag = `tooldock-test/${name}:${randomBytes(4).toString('hex')}`;
  const maker = await docker.createContainer({ Image: images.busybox, Cmd: ['sh', '-c', script], HostConfig: { NetworkMode: 'none' } });
  try {
    await maker.start();
    expect((await maker.wait()).StatusCode).toBe(0);
    const [repo, version] = tag.split(':');
    await maker.commit({ repo, tag: version });
  } finally {
    await maker.remove({ force: true });
  }
  return tag;
}

describe('odd images and mounts over /etc', () => {
  let linked = '';
  let bare = '';

  beforeAll(async () => {
    // /etc/passwd a symlink (as some minimal images ship it); no account files at all (scratch-like).
    linked = await imageFrom('h6-linked-passwd', 'mv /etc/passwd /etc/passwd.real && ln -s passwd.real /etc/passwd');
    bare = await imageFrom('h6-no-accounts', 'rm /etc/passwd /etc/group');
  });
  afterAll(async () => {
    for (const tag of [linked, bare]) if (tag) await docker.getImage(tag).remove({ force: true });
  });

  it('an image without account files gets files with just the entries', async () => {
    expect(await stdoutOf(bare, ['sh', '-c', 'whoami; cat /etc/passwd /etc/group'])).toBe(
      'tooldock\ntooldock:x:1000:1000:tooldock tool user:/tmp:/bin/sh\ntooldock:x:1000:\n',
    );
  });

  it('a symlinked /etc/passwd is left as it is (never written through), with a warning; the tool still runs', async () => {
    let out = '';
    const warnings = await warningsDuring(async () => {
      out = await stdoutOf(linked, ['sh', '-c', 'readlink /etc/passwd; md5sum /etc/passwd.real; whoami 2>&1; true']);
    });
    const original = await stdoutOf(linked, ['md5sum', '/etc/passwd.real'], { user: 'image' });
    expect(out).toBe(`passwd.real\n${original}whoami: unknown uid 1000\n`);
    expect(warnings.join('\n')).toMatch(/\/etc\/passwd is a symbolic link in image sha256:.*uid 1000 gets no entry/);
  });

  it("a writable mount over /etc is never written to: the tool sees the caller's files, with a warning", async () => {
    const etc = tempDir('identity-etc');
    let result!: Awaited<ReturnType<typeof runTool>>;
    const warnings = await warningsDuring(async () => {
      result = await runTool(images.busybox, ['sh', '-c', 'ls /etc; whoami 2>&1; true'], [{ path: etc, target: '/etc', write: true }], mapped);
    });
    // The daemon itself adds hostname, hosts and resolv.conf there (mount points); we add nothing.
    expect(readdirSync(etc).filter((name) => /passwd|group/.test(name))).toEqual([]);
    expect(String(result.stdout)).not.toMatch(/passwd/);
    expect(warnings.join('\n')).toMatch(/a mount at \/etc covers the image's account files; uid 1000 gets no entry/);
  });
});
