import { describe, expect, it } from 'vitest';
import { extraThreads, samtoolsSortArgs } from '../../src/samtools-args.js';

// One builder for both callers: samtools.sort, and the sorting half of bwa.mem's pipe.
describe('samtools sort arguments', () => {
  it('samtools.sort: format, name order, memory, extra threads, scratch beside the output', () => {
    expect(
      samtoolsSortArgs({ input: '/d/x.sam', output: '/d/.x.bam.partial-1', format: 'bam', threads: 4, byName: true, memoryPerThread: '768M' }),
    ).toEqual([
      'samtools',
      'sort',
      '-@',
      '3',
      '-n',
      '-m',
      '768M',
      '-O',
      'bam',
      '-T',
      '/d/.x.bam.partial-1.tmp',
      '-o',
      '/d/.x.bam.partial-1',
      '/d/x.sam',
    ]);
  });

  it("bwa.mem's pipe: sorts stdin, one thread means no -@", () => {
    expect(samtoolsSortArgs({ input: '-', output: '/o/t', format: 'bam', threads: 1 })).toEqual([
      'samtools',
      'sort',
      '-O',
      'bam',
      '-T',
      '/o/t.tmp',
      '-o',
      '/o/t',
      '-',
    ]);
  });

  it('counts extra threads as samtools does', () => {
    expect(extraThreads(undefined)).toEqual([]);
    expect(extraThreads(1)).toEqual([]);
    expect(extraThreads(8)).toEqual(['-@', '7']);
  });
});
