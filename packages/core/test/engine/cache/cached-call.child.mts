// One identical cached call, run as its own process by cache-processes.test.ts: prints what it saw.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runTool } from '../../../src/index.js';
import { recordsOfThisProcess } from '../../../src/records/record-journal.js';

const [image, out, cache, barrier] = process.argv.slice(2) as [string, string, string, string];
// Both processes start the call together (module loading takes a variable second or two).
writeFileSync(join(barrier, String(process.pid)), '');
while (readdirSync(barrier).length < 2) await sleep(20);
let containers = 0;
const events: string[] = [];
const result = await runTool(image, ['sh', '-c', `sleep 1; echo once >> ${out}/runs.txt; echo done`], [`${out}:rw`], {
  cache,
  onEvent: (event) => {
    events.push(`${Date.now() % 100_000} ${event.type}`);
    if (event.type === 'container:created') containers++;
  },
});
console.log(
  JSON.stringify({
    containers,
    cached: result.cached,
    stdout: result.stdout,
    notes: result.notes,
    cache: recordsOfThisProcess().at(-1)?.cache,
    events,
  }),
);
