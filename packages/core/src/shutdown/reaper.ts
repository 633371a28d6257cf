import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import type { DockerEngine } from '../engine/docker-engine.js';
import { LABEL, session } from '../session.js';
import { locateSelf } from '../dood/detect-self.js';
import { cleanupOrphans } from './cleanup-orphans.js';
import { ensureSiblingReaper } from './sibling-reaper.js';

const reaped = new Set<string>();

/**
 * Survives a SIGKILL of this process: a detached watchdog process holds a pipe to us; when the
 * pipe closes (we died, however), it removes every container of our session — twice, two seconds
 * apart, to catch a create that was in flight — and exits. One per process and daemon.
 */
export function ensureReaper(engine: DockerEngine): void {
  if (reaped.has(engine.endpoint) || process.env.TOOLDOCK_REAPER === '0') return;
  reaped.add(engine.endpoint);
  // In DooD, a sibling container also covers the death of the whole notebook container.
  void locateSelf(engine).then((self) => (self.kind === 'container' ? ensureSiblingReaper(engine, self) : undefined))
    .catch((error: Error) => process.emitWarning(`tooldock: could not start the sibling reaper: ${error.message}`));
  // The start-up sweep: whatever earlier sessions left (a killed notebook container takes its
  // watchdog with it) goes now. Quietly in the background; it only removes provably dead ones.
  setTimeout(() => void cleanupOrphans({ engine }).catch(() => {}), 0).unref();
  const dockerode = createRequire(import.meta.url).resolve('dockerode');
  const child = spawn(process.execPath, ['-e', WATCHDOG, dockerode, JSON.stringify(engine.target.dockerodeOptions), `${LABEL.session}=${session.id}`], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  child.on('error', (error) => process.emitWarning(`tooldock: could not start the orphan reaper: ${error.message}`));
  // Neither the child nor its pipe may keep this process alive.
  child.unref();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  child.stdin?.on('error', () => {});
}

// Plain JavaScript run with `node -e`: no build step, no TypeScript loader in the child.
const WATCHDOG = `
const [dockerodePath, options, label] = process.argv.slice(1);
const Docker = require(dockerodePath);
const docker = new Docker(Object.keys(JSON.parse(options)).length ? JSON.parse(options) : undefined);
process.on('SIGINT', () => {});
async function sweep() {
  const list = await docker.listContainers({ all: true, filters: { label: [label] } }).catch(() => []);
  await Promise.all(list.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {})));
}
process.stdin.on('data', () => {});
process.stdin.on('close', async () => {
  await sweep();
  setTimeout(async () => { await sweep(); process.exit(0); }, 2000);
});
`;
