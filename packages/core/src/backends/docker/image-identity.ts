import type { DockerEngine } from './engine/docker-engine.js';
import { bounded } from '../../lifecycle/bounded.js';
import { pinnedIdentity } from '../../api/image-reference.js';
import type { ImageIdentity } from '../engine-kind.js';

/**
 * The immutable identity of `image` for the cache key: a reference pinned by digest, or a full
 * image id, is its own identity (no daemon call); a tag is resolved to the image id the daemon
 * has under it now, by one inspect — so a retagged image is a different key. `absent` when the
 * daemon does not have the image (the run pulls it; its result says which id ran).
 */
export async function imageIdentity(engine: DockerEngine, image: string, signal: AbortSignal): Promise<ImageIdentity> {
  const pinned = pinnedIdentity(image);
  if (pinned) return { kind: 'id', id: pinned };
  const inspected = await bounded(engine.images.inspect(image), signal, `looking for image ${image}`);
  return inspected?.Id ? { kind: 'id', id: inspected.Id } : { kind: 'absent' };
}
