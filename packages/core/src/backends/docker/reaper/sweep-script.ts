import { LABEL } from '../labels.js';
import { READ_CONFIG_PRELUDE } from '../../../util/watchdog-process.js';

/**
 * The JavaScript both reapers run with `node -e`, in processes that outlive us (no build step, no
 * TypeScript loader there): label keys are interpolated from backends/docker/labels.ts. No credential is ever on
 * their command line: `connect(dockerodePath, options)` makes the `docker` client from the
 * configuration each script receives (stdin or environment), and `sweep(key, value)`
 * force-removes every container labelled `key=value`.
 */
const SWEEP_PRELUDE = `
let docker;
function connect(dockerodePath, options) {
  const Docker = require(dockerodePath);
  docker = new Docker(options && Object.keys(options).length ? options : undefined);
}
async function sweep(key, value) {
  const list = await docker.listContainers({ all: true, filters: { label: [key + '=' + value] } }).catch(() => []);
  await Promise.all(list.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {})));
}
`;

/**
 * The watchdog (its stdin's first line: `{ dockerode, options, session }`): when its stdin, a
 * pipe from us, closes — we died, however — it sweeps our session's containers, again two
 * seconds later (a create that was in flight), and exits.
 */
export const WATCHDOG_SCRIPT = `${SWEEP_PRELUDE}${READ_CONFIG_PRELUDE}
process.on('SIGINT', () => {});
let config;
readConfig((c) => { config = c; connect(c.dockerode, c.options); });
process.stdin.on('close', async () => {
  if (!config) process.exit(1);
  await sweep(${JSON.stringify(LABEL.session)}, config.session);
  setTimeout(async () => { await sweep(${JSON.stringify(LABEL.session)}, config.session); process.exit(0); }, 2000);
});
`;

/**
 * The sibling reaper (a container: its configuration `{ dockerode, options, watched, hostname }`
 * comes in the environment variable {@link SIBLING_CONFIG_ENV}, readable by its own user and by
 * whoever can inspect containers on the daemon — never in the process list): polls the notebook
 * container every two seconds; once it is stopped or gone, sweeps the tool containers its
 * processes started (labelled with its hostname), again two seconds later, and exits.
 */
export const SIBLING_CONFIG_ENV = 'TOOLDOCK_REAPER_CONFIG';

export const SIBLING_REAPER_SCRIPT = `${SWEEP_PRELUDE}
const config = JSON.parse(process.env.${SIBLING_CONFIG_ENV}, (_key, value) => value && typeof value === 'object' && typeof value.$base64 === 'string' ? Buffer.from(value.$base64, 'base64') : value);
delete process.env.${SIBLING_CONFIG_ENV};
connect(config.dockerode, config.options);
const { watched, hostname } = config;
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
