import { createRequire } from 'node:module';
import type { DockerEngine } from '../engine/docker-engine.js';
import type { SelfLocation } from '../dood/detect-self.js';
import { LABEL } from '../session.js';
import { SWEEP_PRELUDE } from './sweep-script.js';

const REAPER_FOR = 'tooldock.reaper-for';
const started = new Set<string>();

/**
 * DooD: if the notebook container itself dies (killed, OOM, `docker rm -f`), the in-container
 * watchdog dies with it. So one sibling container per notebook container — same image, same
 * mounts (`VolumesFrom`, which brings the socket and this package), our uid and groups, no
 * network — polls the notebook container through the API and, once it is gone or stopped,
 * removes every tool container it started (label `tooldock.host`), then exits (AutoRemove).
 */
export async function ensureSiblingReaper(engine: DockerEngine, self: Extract<SelfLocation, { kind: 'container' }>): Promise<void> {
  if (started.has(self.containerId) || process.env.TOOLDOCK_REAPER === '0') return;
  started.add(self.containerId);
  const existing = await engine.docker.listContainers({ filters: { label: [`${REAPER_FOR}=${self.containerId}`] } });
  if (existing.length > 0) return;
  const ours = await engine.docker.getContainer(self.containerId).inspect();
  const dockerode = createRequire(import.meta.url).resolve('dockerode');
  const reaper = await engine.docker.createContainer({
    Image: ours.Image,
    Entrypoint: [process.execPath],
    Cmd: ['-e', SIBLING, dockerode, JSON.stringify(engine.target.dockerodeOptions), self.containerId, `${LABEL.host}=${ours.Config.Hostname}`],
    User: `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`,
    Labels: { [REAPER_FOR]: self.containerId },
    HostConfig: {
      AutoRemove: true, // nobody waits for it; it must not outlive its job
      NetworkMode: 'none',
      VolumesFrom: [self.containerId],
      GroupAdd: (process.getgroups?.() ?? []).map(String),
      LogConfig: { Type: 'none', Config: {} },
    },
  });
  await reaper.start();
}

const SIBLING = `${SWEEP_PRELUDE}
const [watched, hostLabel] = process.argv.slice(3);
async function alive() {
  try { return (await docker.getContainer(watched).inspect()).State.Running; }
  catch (e) { return e.statusCode === 404 ? false : true; }
}
(async () => {
  while (await alive()) await new Promise((r) => setTimeout(r, 2000));
  await sweep(hostLabel);
  await new Promise((r) => setTimeout(r, 2000));
  await sweep(hostLabel);
})();
`;
