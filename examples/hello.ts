// Runs real samtools in a container: writes a small FASTA, indexes it, and reads a region back.
// Run with: npm run example
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isToolError, runTool } from '@tooldock/core';
import { localImage } from './local-images.js';

const image = localImage('bio');
const data = mkdtempSync(join(tmpdir(), 'tooldock-hello-'));
writeFileSync(join(data, 'ref.fa'), '>chr1\nACGTACGTTTGACCAGTACGGATCCA\n>chr2\nGGGCCCAAATTT\n');

const version = await runTool(image, ['samtools', '--version']);
console.log(`samtools says: ${String(version.stdout).split('\n')[0]}  (${version.durationMs} ms)`);

// The data folder is mounted writable at the same path, so the args need no rewriting.
await runTool(image, ['samtools', 'faidx', join(data, 'ref.fa')], [`${data}:rw`]);
console.log(`index written: ${readFileSync(join(data, 'ref.fa.fai'), 'utf8').trim().split('\n').length} sequences`);

const region = await runTool(image, ['samtools', 'faidx', join(data, 'ref.fa'), 'chr1:5-12'], [data]);
console.log(`chr1:5-12 = ${String(region.stdout).split('\n')[1]}`);

try {
  await runTool(image, ['samtools', 'faidx', join(data, 'missing.fa')], [data]);
} catch (error) {
  if (!isToolError(error)) throw error;
  console.log(`a failing tool gives a ToolError: exit ${error.exitCode}, "${error.stderrTail.split('\n')[0]}"`);
}

rmSync(data, { recursive: true, force: true });
