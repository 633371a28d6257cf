import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runMany, type FanOutProgress } from '@tooldock/core';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();

// The progress table's "last line" column: what a tool says about itself, not its data.
describe('the progress last line of a task whose stdout goes to a file', () => {
  it("is the tool's latest stderr line, cut to a readable width, never a 300-character record", async () => {
    const out = join(tempDir('last-line'), 'aligned.sam');
    const record = `read1\\t99\\tchr1\\t100\\t60\\t${'A'.repeat(300)}`;
    const script = `for i in 1 2 3; do printf '${record}\\n'; echo "[M::process] processed batch $i of 3 ${'.'.repeat(150)}" >&2; sleep 0.3; done`;
    const seen: string[] = [];
    const onProgress = (p: FanOutProgress) => {
      if (p.tasks[0]!.lastLine) seen.push(p.tasks[0]!.lastLine);
    };
    await runMany([{ image: busybox, args: ['sh', '-c', script], name: 'align', options: { stdout: { file: out } } }], { onProgress });

    expect(readFileSync(out, 'utf8').split('\n').filter(Boolean)).toHaveLength(3);
    expect(seen.length).toBeGreaterThan(0);
    for (const line of seen) {
      expect(line).toMatch(/^\[M::process\] processed batch \d of 3 \.+…$/);
      expect(line).toHaveLength(120);
    }
    expect(seen.at(-1)).toMatch(/batch 3 of 3/);
  }, 60_000);
});
