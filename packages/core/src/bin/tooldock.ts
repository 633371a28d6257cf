#!/usr/bin/env node
// tooldock doctor [--json] | tooldock cleanup
import { doctor } from '../dood/doctor.js';
import { cleanupOrphans } from '../shutdown/cleanup-orphans.js';

const [command, ...flags] = process.argv.slice(2);
if (command === 'doctor') {
  const report = await doctor();
  console.log(flags.includes('--json') ? JSON.stringify({ ...report, text: undefined }, null, 2) : report.text);
  process.exitCode = report.findings.length ? 1 : 0;
} else if (command === 'cleanup') {
  const { removed, kept } = await cleanupOrphans();
  for (const r of removed) console.log(`removed ${r.id.slice(0, 12)} (session ${r.session}: ${r.reason})`);
  console.log(`${removed.length} removed; ${kept.length} live session(s) left alone`);
} else {
  console.error('usage: tooldock doctor [--json] | tooldock cleanup');
  process.exitCode = 2;
}
