import type { DockerEngine } from '../backends/docker/engine/docker-engine.js';
import { bounded } from '../lifecycle/bounded.js';

const PINNED_BY_DIGEST = /@(sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})$/;
const FULL_IMAGE_ID = /^(?:sha256:)?([a-f0-9]{64})$/;

/**
 * The immutable identity of `image` for the cache key: a reference pinned by digest, or a full
 * image id, is its own identity (no daemon call); a tag is resolved to the image id the daemon
 * has under it now, by one inspect — so a retagged image is a different key. Undefined when the
 * daemon does not have the image (the run pulls it; its result says which id ran).
 */
export async function imageIdentity(engine: DockerEngine, image: string, signal: AbortSignal): Promise<string | undefined> {
  const pinned = pinnedIdentity(image);
  if (pinned) return pinned;
  const inspected = await bounded(engine.images.inspect(image), signal, `looking for image ${image}`);
  return inspected?.Id;
}

/** The identity of a reference that names content, without asking anyone. */
export function pinnedIdentity(image: string): string | undefined {
  const digest = PINNED_BY_DIGEST.exec(image)?.[1];
  if (digest) return `digest:${digest}`;
  const id = FULL_IMAGE_ID.exec(image)?.[1];
  return id ? `sha256:${id}` : undefined;
}
