import { randomBytes } from 'node:crypto';
import { chownSync, chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackages } from '#test-support/built-packages.js';
import { connect } from '@tooldock/core';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';
import { reaperGone, runWorkbench } from '#test-support/workbench.js';

const images = testImages() as ReturnType<typeof testImages> & { workbench: string };
const docker = connect().docker;

/** A few-kb random reference and reads cut from it: bwa maps them all. */
function syntheticData(dir: string): void {
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  const ref = Array.from({ length: 3000 }, () => 'ACGT'[next() % 4]).join('');
  writeFileSync(`${dir}/ref.fa`, `>chr1\n${ref.replace(/(.{60})/g, '$1\n')}\n`);
  const reads = Array.from({ length: 40 }, (_, i) => {
    const pos = next() % (ref.length - 100);
    return `@read${i}_pos${pos + 1}\n${ref.slice(pos, pos + 100)}\n+\n${'I'.repeat(100)}\n`;
  });
  writeFileSync(`${dir}/reads.fq`, reads.join(''));
}

describe('DooD: the SDK inside a container next to the host socket', () => {
  const data = tempDir('dood-data');
  const nested = tempDir('dood-nested');
  const ref = tempDir('dood-ref');
  const volume = `tooldock-dood-${randomBytes(4).toString('hex')}`;
  let report: Record<string, { ok: boolean; value?: unknown; error?: string }>;
  let workbenchId = '';

  beforeAll(async () => {
    await buildPackages();
    syntheticData(data);
    for (const dir of [data, nested]) chownSync(dir, 1000, 1000);
    for (const f of ['ref.fa', 'reads.fq']) chownSync(`${data}/${f}`, 1000, 1000);
    chmodSync(ref, 0o755);
    await docker.createVolume({ Name: volume });
    // The volume's root must be writable by uid 1000 (as a notebook image's home would be).
    await promisify(execFile)('docker', ['run', '--rm', '--network', 'none', '-v', `${volume}:/v`, images.busybox, 'chown', '1000:1000', '/v']);
    ({ id: workbenchId, report } = await runWorkbench<typeof report>('packages/core/test/engine/dood/fixtures/inside.mjs', [
      { Type: 'bind', Source: data, Target: '/data' }, // a different path than on the host
      { Type: 'volume', Source: volume, Target: '/workspace' },
      { Type: 'bind', Source: nested, Target: '/workspace/nested' }, // a bind nested in the volume
      { Type: 'bind', Source: ref, Target: '/ref', ReadOnly: true },
    ]));
  }, 240_000);

  afterAll(async () => {
    await reaperGone(workbenchId); // it mounts the volume (VolumesFrom) until it is done
    await docker.getVolume(volume).remove();
  });

  it('translates its paths to the host paths behind its mounts', () => {
    expect(report.resolve).toEqual({ ok: true, value: { type: 'bind', path: `${data}/ref.fa` } });
  });

  it('runs real bwa on inputs under one mount, writing the SAM under another, owned by the caller', () => {
    expect(report.index).toEqual({ ok: true, value: 0 });
    expect(report.mem).toEqual({ ok: true, value: 0 });
    expect(existsSync(`${data}/ref.fa.bwt`)).toBe(true);
    const sam = readFileSync(`${nested}/aligned.sam`, 'utf8');
    expect(sam.split('\n').filter((l) => l && !l.startsWith('@')).length).toBe(40);
    expect(statSync(`${nested}/aligned.sam`).uid).toBe(1000);
    expect(statSync(`${data}/ref.fa.bwt`).uid).toBe(1000);
  });

  it('lets a tool write into a bind nested in a volume, and into the volume itself (whole volume on API < 1.45)', async () => {
    expect(report.view).toEqual({ ok: true, value: 0 });
    expect(statSync(`${nested}/aligned.bam`).uid).toBe(1000);
    expect(report.volume!.ok).toBe(true);
    expect(report.volume!.value).toEqual(
      expect.arrayContaining([
        { target: '/workspace', source: { type: 'volume', name: volume }, readOnly: false, localPath: '/workspace' },
        { target: '/workspace/nested', source: { type: 'bind', path: nested }, readOnly: false, localPath: '/workspace/nested' },
      ]),
    );
    const mountpoint = (await docker.getVolume(volume).inspect()).Mountpoint;
    expect(readFileSync(`${mountpoint}/run1/out.txt`, 'utf8')).toBe('in-the-volume\n');
  });

  it('refuses an off-mount path clearly and creates nothing on the host', () => {
    expect(report.offMount!.ok).toBe(false);
    expect(report.offMount!.error).toMatch(/\/tmp\/offmount is not under any mount of this container/);
    expect(report.offMount!.error).toMatch(/\/data {2}← bind/);
    expect(existsSync('/tmp/offmount')).toBe(false);
  });

  it('doctor() describes the container, its mounts and what can be shared', () => {
    const text = String(report.doctor!.value);
    if (process.env.TOOLDOCK_PRINT_DOCTOR) console.log(text);
    expect(text).toMatch(/where {6}in container \S+ \([0-9a-f]{12}, image tooldock-test\/workbench:\w+\): paths are translated/);
    expect(text).toContain(`✓ /data  ← bind ${data}`);
    expect(text).toContain(`✓ /workspace  ← volume ${volume}`);
    expect(text).toContain(`✓ /ref  ← bind ${ref} (read-only)`);
    expect(text).toMatch(/✗ \/run\/docker\.sock .*never passed to tools/);
    expect(text).toContain('caller     uid 1000, gid 1000');
    expect(text).toContain('no problems found');
  });

  it('refuses to write to a read-only mount', () => {
    expect(report.readOnly!.ok).toBe(false);
    expect(report.readOnly!.error).toMatch(/\/ref is on a read-only mount \(\/ref\)/);
  });
});
