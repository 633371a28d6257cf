/**
 * The JavaScript both reapers run with `node -e` (no build step, no TypeScript loader in the
 * child): argv `[dockerodePath, optionsJson, …]`, a `docker` client, and `sweep(label)`, which
 * force-removes every container carrying `label`.
 */
export const SWEEP_PRELUDE = `
const [dockerodePath, options] = process.argv.slice(1);
const Docker = require(dockerodePath);
const docker = new Docker(Object.keys(JSON.parse(options)).length ? JSON.parse(options) : undefined);
async function sweep(label) {
  const list = await docker.listContainers({ all: true, filters: { label: [label] } }).catch(() => []);
  await Promise.all(list.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {})));
}
`;
