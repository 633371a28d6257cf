import { createRequire } from 'node:module';
import type { DockerEngine } from '../engine/docker-engine.js';
import type { SelfLocation } from '../dood/detect-self.js';
import { LABEL, labelFilter } from '../labels.js';
import { SIBLING_CONFIG_ENV, SIBLING_REAPER_SCRIPT } from './sweep-script.js';
import { encodeConfig } from '../../../util/watchdog-process.js';

const started = new Set<string>();

/**
 * DooD: if the notebook container itself dies (killed, OOM, `docker rm -f`), the in-container
 * watchdog dies with it. So one sibling container per notebook container — same image, same
 * mounts (`VolumesFrom`, which brings the socket and this package), our uid and groups, no
 * network — polls the notebook container through the API and, once it is gone or stopped,
 * removes every tool container it started (label `tooldock.host`), then exits (AutoRemove).
 */
export async function ensureSiblingReaper(engine: DockerEngine, self: Extract<SelfLocation, { kind: 'container' }>): Promise<void> {
  if (started.has(self.containerId)) return;
  started.add(self.containerId);
  const existing = await engine.containers.listByLabel(labelFilter(LABEL.reaperFor, self.containerId));
  if (existing.length > 0) return;
  const ours = await engine.containers.inspect(self.containerId);
  const dockerode = createRequire(import.meta.url).resolve('dockerode');
  const reaperId = await engine.containers.create({
    Image: ours.Image,
    Entrypoint: [process.execPath],
    Cmd: ['-e', SIBLING_REAPER_SCRIPT],
    // Not on its command line (the host's process list shows that to every user): see sweep-script.ts.
    Env: [
      `${SIBLING_CONFIG_ENV}=${encodeConfig({ dockerode, options: engine.target.dockerodeOptions, watched: self.containerId, hostname: ours.Config.Hostname }).trim()}`,
    ],
    User: `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`,
    Labels: { [LABEL.reaperFor]: self.containerId },
    HostConfig: {
      AutoRemove: true, // nobody waits for it; it must not outlive its job
      NetworkMode: 'none',
      VolumesFrom: [self.containerId],
      GroupAdd: (process.getgroups?.() ?? []).map(String),
      LogConfig: { Type: 'none', Config: {} },
    },
  });
  await engine.containers.start(reaperId);
}
