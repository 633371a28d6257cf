import { basename, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hiddenTempName, partialPrefix } from '@tooldock/core/advanced';

describe('hidden temp names', () => {
  it('are hidden, beside the target (an atomic rename), and start with the shared prefix', () => {
    const temp = hiddenTempName('/work/out/s1.bam');
    expect(dirname(temp)).toBe('/work/out');
    expect(partialPrefix('/work/out/s1.bam')).toBe('.s1.bam.partial-');
    expect(basename(temp)).toMatch(/^\.s1\.bam\.partial-[0-9a-f]{8}$/);
    expect(hiddenTempName('/work/out/s1.bam')).not.toBe(temp);
  });

  it('carry an owner when given, so a sweep can tell whose they are', () => {
    expect(basename(hiddenTempName('/work/x.txt', 'host-42'))).toMatch(/^\.x\.txt\.partial-host-42-[0-9a-f]{8}$/);
  });
});
