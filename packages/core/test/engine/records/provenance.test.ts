import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkProcessRunCrate } from '#test-support/process-run-crate.js';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';
import { InvalidInputError, runTool } from '@tooldock/core';
import { exportProvenance, runRecords, type RunRecord } from '@tooldock/core/provenance';

const { busybox } = testImages();
const readCrate = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'ro-crate-metadata.json'), 'utf8')) as { '@graph': Array<Record<string, unknown>> };
const byId = (crate: ReturnType<typeof readCrate>, id: string) => crate['@graph'].find((e) => e['@id'] === id);

const data = tempDir('prov-data');
const upper = join(data, 'out', 'upper.txt');

beforeAll(async () => {
  process.env.TOOLDOCK_HOME = tempDir('prov-home');
  mkdirSync(join(data, 'in'));
  mkdirSync(join(data, 'out'));
  writeFileSync(join(data, 'in', 'reads.txt'), 'acgt\n');
  // A small implicit workflow: one run's output is the next one's input; then a failure.
  await runTool(busybox, ['sh', '-c', 'tr a-z A-Z < /in/reads.txt'], [{ path: join(data, 'in'), target: '/in' }], { stdout: { file: upper } });
  await runTool(busybox, ['wc', '-c', upper], [upper], { env: { LC_ALL: 'C' } });
  await runTool(busybox, ['sh', '-c', 'exit 2'], [], { reject: false });
});

describe('exportProvenance', () => {
  it('writes a Process Run Crate of this session that meets the profile, with the data copied in', async () => {
    const dir = join(tempDir('prov-crate'), 'crate');
    const exported = await exportProvenance(dir, { includeData: true, license: 'https://spdx.org/licenses/CC-BY-4.0' });
    expect(exported).toMatchObject({ dir, actions: 3, copied: [upper], notCopied: [] });
    const crate = readCrate(dir);
    expect(checkProcessRunCrate(crate, dir)).toEqual({ must: [], should: [] });

    const records = runRecords();
    const [tr, wc, failed] = records.map((r) => byId(crate, `#run-${r.id}`)!);
    const copiedId = `data${upper}`;
    expect(tr).toMatchObject({
      '@type': 'CreateAction',
      result: [{ '@id': copiedId }],
      actionStatus: { '@id': 'http://schema.org/CompletedActionStatus' },
    });
    expect(wc).toMatchObject({ object: [{ '@id': copiedId }], environment: [{ '@id': '#env-LC_ALL' }] });
    expect(failed).toMatchObject({ actionStatus: { '@id': 'http://schema.org/FailedActionStatus' }, error: 'exit code 2' });
    expect(readFileSync(join(dir, copiedId), 'utf8')).toBe('ACGT\n');
    expect(byId(crate, copiedId)).toMatchObject({ '@type': 'File', contentSize: '5', alternateName: upper });
    const image = byId(crate, (tr!.containerImage as { '@id': string })['@id'])!;
    expect(image).toMatchObject({ '@type': 'ContainerImage', sha256: records[0]!.imageId!.replace('sha256:', '') });
  });

  it('references data by file:// URI by default', async () => {
    const dir = join(tempDir('prov-crate'), 'refs');
    await exportProvenance(dir);
    const crate = readCrate(dir);
    expect(checkProcessRunCrate(crate, dir).must).toEqual([]);
    expect(byId(crate, `file://${upper}`)).toMatchObject({ '@type': 'File', contentSize: '5' });
    expect(readdirSync(dir)).toEqual(['ro-crate-metadata.json']);
  });

  it('never copies a file reached through a symlink or changed since the run (tools write those paths)', async () => {
    const secret = join(tempDir('prov-secret'), 'id_rsa');
    writeFileSync(secret, 'PRIVATE KEY');
    const out = tempDir('prov-out');
    symlinkSync(secret, join(out, 'result.bam'));
    writeFileSync(join(out, 'edited.txt'), 'changed after the run');
    const [record] = runRecords();
    const planted: RunRecord = {
      ...record!,
      id: 'planted',
      outputs: [
        { path: join(out, 'result.bam'), kind: 'file', size: 11 },
        { path: join(out, 'edited.txt'), kind: 'file', size: 21, sha256: '0'.repeat(64) },
        { path: `${out}/../${out.split('/').pop()}/edited.txt`, kind: 'file', size: 21 },
      ],
    };
    const dir = join(tempDir('prov-crate'), 'guarded');
    const exported = await exportProvenance(dir, { records: [planted], includeData: true });
    expect(exported.copied).toEqual([]);
    expect(exported.notCopied.map((n) => n.reason)).toEqual([
      'its path goes through a symbolic link',
      'its content changed since the run (hash differs from the record)',
      'not a normalized absolute path',
    ]);
    expect(JSON.stringify(readdirRecursive(dir))).not.toContain('result.bam');
    expect(checkProcessRunCrate(readCrate(dir), dir).must).toEqual([]);
  });

  it('is atomic: refuses a non-empty directory, replaces it only when asked, leaves no partial crate', async () => {
    const parent = tempDir('prov-crate');
    const dir = join(parent, 'existing');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    await expect(exportProvenance(dir)).rejects.toThrow(InvalidInputError);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
    await exportProvenance(dir, { overwrite: true });
    expect(readdirSync(dir)).toEqual(['ro-crate-metadata.json']);
    expect(readdirSync(parent)).toEqual(['existing']);
    await expect(exportProvenance(join(parent, 'x'), { includeData: 'yes' } as never)).rejects.toThrow(/options\.includeData/);
    await expect(exportProvenance(join(parent, 'no', 'such', 'parent'))).rejects.toThrow(/parent directory/);
    expect(readdirSync(parent)).toEqual(['existing']);
  });
});

function readdirRecursive(dir: string): string[] {
  return readdirSync(dir, { recursive: true }) as string[];
}
