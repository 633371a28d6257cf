import { describe, expect, it } from 'vitest';
import { checkProcessRunCrate } from '#test-support/process-run-crate.js';
import { imageParts } from '../../../src/records/crate/container-image.js';
import { crateOf, PROCESS_RUN_CRATE, type Entity, type RoCrateMetadata } from '../../../src/records/crate/crate-of.js';
import { crateId } from '../../../src/records/crate/copy-data.js';
import { recordOf } from './fixtures.js';

const settings = { name: 'runs', description: 'two runs', datePublished: new Date('2026-11-28T10:00:00Z'), copied: new Map<string, string>() };
const node = (crate: RoCrateMetadata, id: string): Entity => {
  const found = crate['@graph'].find((e) => e['@id'] === id);
  if (!found) throw new Error(`${id} is not in the graph`);
  return found;
};

describe('records as a Process Run Crate', () => {
  const sort = recordOf();
  const flagstat = recordOf({
    id: '9a7b1c2d-0000-4000-8000-000000000002',
    args: ['samtools', 'flagstat', '/data/s1.bam'],
    envNames: [],
    cached: true,
    cache: { key: 'c'.repeat(64), hit: true, inputMode: 'content' },
    inputs: [{ path: '/data/s1.bam', kind: 'file', size: 512, sha256: 'b'.repeat(64) }],
    outputs: [],
  });
  const failed = recordOf({
    id: '9a7b1c2d-0000-4000-8000-000000000003',
    args: ['samtools', 'view', '/data/missing.bam'],
    succeeded: false,
    failed: true,
    exitCode: 1,
    error: 'Command failed with exit code 1: samtools',
    inputs: [{ path: '/data', kind: 'directory' }],
    outputs: [],
  });
  const crate = crateOf([sort, flagstat, failed], settings);

  it('meets every MUST and SHOULD of RO-Crate 1.1 and the profile', () => {
    expect(checkProcessRunCrate(crate)).toEqual({ must: [], should: [] });
    expect(node(crate, './').conformsTo).toEqual({ '@id': PROCESS_RUN_CRATE });
  });

  it('has one action per record with the tool, the image digest, inputs, outputs and times', () => {
    const actions = crate['@graph'].filter((e) => e['@type'] === 'CreateAction' || e['@type'] === 'ActivateAction');
    expect(actions.map((a) => a['@id'])).toEqual([`#run-${sort.id}`, `#run-${flagstat.id}`, `#run-${failed.id}`]);
    const action = node(crate, `#run-${sort.id}`);
    expect(action).toMatchObject({
      startTime: '2026-11-28T09:00:00.000+00:00',
      endTime: '2026-11-28T09:00:01.200+00:00',
      object: [{ '@id': 'file:///data/s1.sam' }],
      result: [{ '@id': 'file:///data/s1.bam' }],
      actionStatus: { '@id': 'http://schema.org/CompletedActionStatus' },
      agent: { '@id': '#person-ana' },
      environment: [{ '@id': '#env-SAMTOOLS_OPTS' }],
    });
    expect(node(crate, (action.instrument as { '@id': string })['@id'])).toMatchObject({
      '@type': 'SoftwareApplication',
      name: 'samtools',
      softwareVersion: '1.22.1--h96c455f_0',
    });
    expect(node(crate, (action.containerImage as { '@id': string })['@id'])).toMatchObject({
      '@type': 'ContainerImage',
      registry: 'quay.io',
      name: 'biocontainers/samtools',
      tag: '1.22.1--h96c455f_0',
      sha256: 'a'.repeat(64),
    });
    expect(node(crate, 'file:///data/s1.sam')).toMatchObject({ '@type': 'File', contentSize: '2048' });
    expect(node(crate, 'file:///data/s1.bam')).toMatchObject({ '@type': 'File', contentSize: '512', sha256: 'b'.repeat(64) });
  });

  it('links runs through shared files, marks cache hits and failures', () => {
    // A run that wrote no file is an ActivateAction (the profile's MAY), still with its inputs.
    expect(node(crate, `#run-${flagstat.id}`)).toMatchObject({ '@type': 'ActivateAction', object: [{ '@id': 'file:///data/s1.bam' }] });
    expect(node(crate, `#run-${sort.id}`)['@type']).toBe('CreateAction');
    expect(node(crate, `#run-${flagstat.id}`).description).toContain(`Served from tooldock's result cache (key ${'c'.repeat(64)})`);
    expect(node(crate, `#run-${failed.id}`)).toMatchObject({
      actionStatus: { '@id': 'http://schema.org/FailedActionStatus' },
      error: 'Command failed with exit code 1: samtools',
      object: [{ '@id': 'file:///data/' }],
    });
    expect(node(crate, 'file:///data/')['@type']).toBe('Dataset');
    expect(node(crate, `#run-${sort.id}`).error).toBeUndefined();
  });

  it('points at copied files by their relative path and keeps the original name', () => {
    const copied = new Map([
      ['/data/s1.bam', crateId('/data/s1.bam')],
      ['/data/a b.sam', crateId('/data/a b.sam')],
    ]);
    const withCopies = crateOf([recordOf({ inputs: [{ path: '/data/a b.sam', kind: 'file', size: 1 }] })], { ...settings, copied });
    expect(node(withCopies, 'data/data/s1.bam')).toMatchObject({ alternateName: '/data/s1.bam' });
    expect(node(withCopies, 'data/data/a%20b.sam')).toMatchObject({ alternateName: '/data/a b.sam' });
    expect(node(withCopies, './').hasPart).toEqual([{ '@id': 'data/data/a%20b.sam' }, { '@id': 'data/data/s1.bam' }]);
  });
});

describe('the crate checker fails crates that break the profile', () => {
  const valid = () => crateOf([recordOf()], settings);
  const without = (crate: RoCrateMetadata, id: string, key: string) => {
    delete node(crate, id)[key];
    return crate;
  };

  it.each([
    ['the profile in conformsTo', (c: RoCrateMetadata) => without(c, './', 'conformsTo'), 'conformsTo a https://w3id.org/ro/wfrun/process/'],
    ['an instrument', (c: RoCrateMetadata) => without(c, `#run-${recordOf().id}`, 'instrument'), 'instrument must reference'],
    ['the license', (c: RoCrateMetadata) => without(c, './', 'license'), 'has no license'],
    ['hasPart for a file', (c: RoCrateMetadata) => without(c, './', 'hasPart'), 'must be linked from the root with hasPart'],
  ])('without %s', (_what, breakIt, message) => {
    const problems = checkProcessRunCrate(breakIt(valid()));
    expect(problems.must.join('\n')).toContain(message);
  });

  it('rejects keys outside the contexts and nested (unflattened) entities', () => {
    const crate = valid();
    node(crate, './').exitCode = 0;
    node(crate, './').creator = { '@id': '#x', name: 'nested' };
    const { must } = checkProcessRunCrate(crate);
    expect(must).toContain('./: "exitCode" is not a term of the crate\'s contexts (not compacted)');
    expect(must.join('\n')).toContain('a nested object other than {"@id"}');
  });
});

describe('image references as ContainerImage parts', () => {
  it.each([
    ['quay.io/biocontainers/samtools:1.22.1--h96c455f_0', { registry: 'quay.io', name: 'biocontainers/samtools', tag: '1.22.1--h96c455f_0' }],
    ['busybox', { registry: 'docker.io', name: 'library/busybox' }],
    ['tooldock-test/busybox:2026', { registry: 'docker.io', name: 'tooldock-test/busybox', tag: '2026' }],
    ['localhost:5000/x/y:1@sha256:' + 'e'.repeat(64), { registry: 'localhost:5000', name: 'x/y', tag: '1', digest: 'e'.repeat(64) }],
  ])('%s', (reference, parts) => {
    expect(imageParts(reference)).toEqual(parts);
  });
});
