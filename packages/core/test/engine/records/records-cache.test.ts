import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkProcessRunCrate } from '#test-support/process-run-crate.js';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';
import { runMany, runTool, type FanOutProgress } from '@tooldock/core';
import { exportProvenance, runRecords } from '@tooldock/core/provenance';

const { busybox } = testImages();
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

beforeAll(() => {
  process.env.TOOLDOCK_HOME = tempDir('records-cache-home');
});

describe('records of cached runs and retries', () => {
  it('records a miss and then a hit, with the cache key, input fingerprints and hashed outputs', async () => {
    const cache = tempDir('records-cache');
    const data = tempDir('records-cache-data');
    mkdirSync(join(data, 'in'));
    mkdirSync(join(data, 'out'));
    writeFileSync(join(data, 'in', 'reads.txt'), 'acgt\n');
    const call = () =>
      runTool(
        busybox,
        ['sh', '-c', 'tr a-z A-Z < /in/reads.txt > /out/upper.txt'],
        [
          { path: join(data, 'in'), target: '/in' },
          { path: join(data, 'out'), target: '/out', write: true },
        ],
        { cache },
      );
    expect((await call()).cached).toBe(false);
    expect((await call()).cached).toBe(true);

    const [miss, hit] = runRecords().slice(-2);
    expect(miss).toMatchObject({ cached: false, cache: { hit: false, inputMode: 'stat' }, succeeded: true, exitCode: 0 });
    expect(hit).toMatchObject({ cached: true, cache: { hit: true, key: miss!.cache!.key }, succeeded: true, exitCode: 0, imageId: miss!.imageId });
    expect(miss!.inputs).toContainEqual(expect.objectContaining({ path: join(data, 'in', 'reads.txt'), kind: 'file', size: 5 }));
    expect(miss!.outputs).toContainEqual(expect.objectContaining({ path: join(data, 'out', 'upper.txt'), size: 5, sha256: sha256('ACGT\n') }));
    expect(hit!.outputs).toContainEqual(expect.objectContaining({ path: join(data, 'out', 'upper.txt'), sha256: sha256('ACGT\n') }));

    const dir = join(tempDir('records-cache-crate'), 'crate');
    await exportProvenance(dir, { records: [miss!, hit!] });
    const crate = JSON.parse(readFileSync(join(dir, 'ro-crate-metadata.json'), 'utf8')) as { '@graph': Array<Record<string, unknown>> };
    expect(checkProcessRunCrate(crate, dir)).toEqual({ must: [], should: [] });
    const hitAction = crate['@graph'].find((e) => e['@id'] === `#run-${hit!.id}`)!;
    expect(hitAction.description).toContain(`Served from tooldock's result cache (key ${miss!.cache!.key})`);
    const output = crate['@graph'].find((e) => e['@id'] === `file://${join(data, 'out', 'upper.txt')}`)!;
    expect(output).toMatchObject({ sha256: sha256('ACGT\n'), contentSize: '5' });
  });

  it('marks fan-out tasks served from the cache as cached in the progress', async () => {
    const cache = tempDir('records-cache-fan');
    const tasks = [1, 2].map((n) => ({ image: busybox, args: ['echo', `sample ${n}`], options: { cache } }));
    await runMany(tasks);
    let last: FanOutProgress | undefined;
    const results = await runMany(tasks, {
      onProgress: (p) => {
        last = p;
      },
    });
    expect(results.map((r) => r.cached)).toEqual([true, true]);
    expect(last!.tasks.map((t) => [t.state, t.cached])).toEqual([
      ['done', true],
      ['done', true],
    ]);
  });

  it('leaves one record per attempt when a run is retried', async () => {
    const before = runRecords().length;
    await expect(runTool(busybox, ['sh', '-c', 'exit 3'], [], { retry: { attempts: 2, when: 3, backoffMs: 0 } })).rejects.toMatchObject({
      exitCode: 3,
    });
    const attempts = runRecords().slice(before);
    expect(attempts.map((r) => [r.attempt, r.exitCode, r.succeeded])).toEqual([
      [1, 3, false],
      [2, 3, false],
    ]);
  });
});
