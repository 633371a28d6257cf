import { LABEL } from '../labels.js';

/**
 * The JavaScript both reapers run with `node -e`, in processes that outlive us (no build step, no
 * TypeScript loader there): label keys are interpolated from backends/docker/labels.ts. The prelude reads argv
 * `[dockerodePath, optionsJson, …]`, makes a `docker` client, and defines `sweep(key, value)`,
 * which force-removes every container labelled `key=value`.
 */
const SWEEP_PRELUDE = `
const [dockerodePath, options] = process.argv.slice(1);
const Docker = require(dockerodePath);
const docker = new Docker(Object.keys(JSON.parse(options)).length ? JSON.parse(options) : undefined);
async function sweep(key, value) {
  const list = await docker.listContainers({ all: true, filters: { label: [key + '=' + value] } }).catch(() => []);
  await Promise.all(list.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {})));
}
`;

/**
 * The watchdog (argv[3]: our session id): when its stdin, a pipe from us, closes — we died,
 * however — it sweeps our session's containers, again two seconds later (a create that was in
 * flight), and exits.
 */
export const WATCHDOG_SCRIPT = `${SWEEP_PRELUDE}
const sessionId = process.argv[3];
process.on('SIGINT', () => {});
process.stdin.on('data', () => {});
process.stdin.on('close', async () => {
  await sweep(${JSON.stringify(LABEL.session)}, sessionId);
  setTimeout(async () => { await sweep(${JSON.stringify(LABEL.session)}, sessionId); process.exit(0); }, 2000);
});
`;

/**
 * The sibling reaper (argv[3]: the notebook container's id, argv[4]: its hostname): polls the
 * notebook container every two seconds; once it is stopped or gone, sweeps the tool containers
 * its processes started (labelled with its hostname), again two seconds later, and exits.
 */
export const SIBLING_REAPER_SCRIPT = `${SWEEP_PRELUDE}
const [watched, hostname] = process.argv.slice(3);
async function alive() {
  try { return (await docker.getContainer(watched).inspect()).State.Running; }
  catch (e) { return e.statusCode === 404 ? false : true; }
}
(async () => {
  while (await alive()) await new Promise((r) => setTimeout(r, 2000));
  await sweep(${JSON.stringify(LABEL.host)}, hostname);
  await new Promise((r) => setTimeout(r, 2000));
  await sweep(${JSON.stringify(LABEL.host)}, hostname);
})();
`;
