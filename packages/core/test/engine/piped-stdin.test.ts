import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTool } from '@tooldock/core';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();

describe("one run's stdout as the next one's stdin", () => {
  it('loses no byte when the producer starts before the consumer is attached', async () => {
    // The consumer hashes 3000 input files before it creates its container (a content-keyed
    // cache lookup), so the producer's output starts flowing first; before the fix it got "0".
    const inputs = tempDir('piped-inputs');
    for (let i = 0; i < 3000; i++) writeFileSync(join(inputs, `f${i}`), String(i));
    const producer = runTool(busybox, ['seq', '1', '50000'], [], { stdout: 'ignore' });
    const consumer = runTool(busybox, ['wc', '-l'], [inputs], {
      stdin: producer.stdout,
      cache: { dir: tempDir('piped-cache'), inputs: 'content' },
    });
    const [, counted] = await Promise.all([producer, consumer]);
    expect(counted.stdout).toBe('50000\n');
  });

  it('lets the producer finish when the consumer fails before reading', async () => {
    const producer = runTool(busybox, ['seq', '1', '50000'], [], { stdout: 'ignore', timeoutMs: 60_000 });
    const consumer = runTool('tooldock-test/no-such-image:1', ['wc', '-l'], [], { stdin: producer.stdout, pull: 'never' });
    await expect(consumer).rejects.toThrow(/not on the daemon/);
    await expect(producer).resolves.toMatchObject({ exitCode: 0 });
  });
});
