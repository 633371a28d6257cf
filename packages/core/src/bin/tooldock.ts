#!/usr/bin/env node
// tooldock doctor [--json] | cleanup | init [folder] [--from-registry] | cache ls|prune | export cwl <dir> | --version
import { doctor } from '../diagnose/doctor.js';
import { cleanupOrphans } from '../shutdown/cleanup-orphans.js';
import { initNotebookFolder } from './init-notebook-folder.js';
import { ownVersion } from './package-sources.js';
import { CACHE_USAGE, cacheCommand } from './cache-command.js';
import { EXPORT_USAGE, exportCommand } from './export-command.js';

const USAGE = `usage: tooldock <command>
  doctor [--json]                 check the Docker set-up (socket, mounts, user) and say what to fix
  cleanup                         remove containers left by tooldock sessions that have ended
  init [folder] [--from-registry] make a folder (default: here) ready for notebooks and scripts:
                                  package.json, deno.json, @tooldock/* installed
${CACHE_USAGE}
${EXPORT_USAGE}
  --version                       print the version of the installed @tooldock/core`;

const [command, ...rest] = process.argv.slice(2);
const flags = rest.filter((a) => a.startsWith('--'));
const operands = rest.filter((a) => !a.startsWith('--'));

if (command === '--version' || command === 'version') {
  console.log(ownVersion());
} else if (command === 'doctor') {
  const report = await doctor();
  console.log(flags.includes('--json') ? JSON.stringify({ ...report, text: undefined }, null, 2) : report.text);
  process.exitCode = report.findings.length ? 1 : 0;
} else if (command === 'cleanup') {
  const { removed, kept } = await cleanupOrphans();
  for (const r of removed) console.log(`removed ${r.id.slice(0, 12)} (session ${r.session}: ${r.reason})`);
  console.log(`${removed.length} removed; ${kept.length} live session(s) left alone`);
} else if (command === 'cache') {
  process.exitCode = await cacheCommand(rest);
} else if (command === 'export') {
  process.exitCode = await exportCommand(rest);
} else if (command === 'init') {
  // Package-manager scripts run from the project root; INIT_CWD is where the user typed it.
  const base = process.env.INIT_CWD ?? process.cwd();
  process.exitCode = await initNotebookFolder({ folder: operands[0], base, fromRegistry: flags.includes('--from-registry') });
} else {
  console.error(command === undefined || command === 'help' || command === '--help' ? USAGE : `unknown command: ${command}\n${USAGE}`);
  process.exitCode = command === 'help' || command === '--help' ? 0 : 2;
}
