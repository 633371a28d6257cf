import type { LocalMount } from '../../../src/api/mount-spec.js';
import { packMounts } from '../../../src/backends/docker/copy-mode/pack-mounts.js';
import type { SentTrees } from '../../../src/backends/docker/copy-mode/sent-trees.js';

/** What copy mode records when it packs `mounts` for a tool container (the archive is drained). */
export async function sentByPacking(mounts: LocalMount[]): Promise<SentTrees> {
  const sent: SentTrees = new Map();
  const archive = packMounts(mounts, sent);
  await new Promise<void>((resolve, reject) => {
    archive.on('data', () => {});
    archive.once('end', () => resolve());
    archive.once('error', reject);
  });
  return sent;
}
