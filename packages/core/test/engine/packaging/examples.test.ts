import { execFile } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../../../', import.meta.url));
const tsx = `${root}node_modules/.bin/tsx`;
const run = (example: string) => promisify(execFile)(tsx, [`examples/${example}`], { cwd: root });

// The examples are documentation that runs: CI runs them as users would.
describe('examples', () => {
  it('hello.ts runs real samtools', async () => {
    const { stdout } = await run('hello.ts');
    expect(stdout).toMatch(/^samtools says: samtools \d+\.\d+/m);
    expect(stdout).toContain('index written: 2 sequences');
    expect(stdout).toContain('chr1:5-12 = ACGTTTGA');
    expect(stdout).toMatch(/a failing tool gives a ToolError: exit 1/);
  });

  it('align.ts aligns four samples in parallel', async () => {
    const { stdout } = await run('align.ts');
    const rows = stdout.split('\n').filter((l) => /^s\d /.test(l));
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(Number(row.split(/\s+/)[2]!.replace('%', ''))).toBeGreaterThanOrEqual(95);
    const outputs = /^outputs in (\/tmp\/tooldock-align-\w+)$/m.exec(stdout)![1]!;
    expect(readdirSync(outputs)).toEqual(expect.arrayContaining(['s1.bam', 's1.bam.bai', 'ref.fa.bwt']));
    rmSync(outputs, { recursive: true, force: true });
  }, 180_000);
});
