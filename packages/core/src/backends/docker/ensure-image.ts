import type { DockerEngine } from './engine/docker-engine.js';
import type { EventListener } from '../../lifecycle/events.js';
import { bounded } from '../../lifecycle/bounded.js';
import type { RegistryAuth } from '../../registry/registry-auth.js';
import { pullOnce } from '../../registry/shared-pull.js';

export type PullPolicy = 'missing' | 'always' | 'never';

/**
 * Makes sure `image` is on the daemon and returns its id. Inspects first (cheap, and works
 * offline); pulls only when the policy says so. An `error` in the pull stream is a failure,
 * even though the HTTP status was 200. `signal` (the run's cancel/timeout) ends a pull mid-way:
 * the request is aborted, which makes the daemon stop pulling too — unless another run still
 * waits for the same pull (registry/shared-pull.ts: concurrent runs pull an image once).
 * Credentials: `auth`, else the docker CLI's config (registry/find-credentials.ts).
 */
export async function ensureImage(
  engine: DockerEngine,
  image: string,
  policy: PullPolicy,
  emit: EventListener,
  signal: AbortSignal = new AbortController().signal,
  auth?: RegistryAuth,
): Promise<string> {
  if (policy !== 'always') {
    const id = await bounded(imageId(engine, image), signal, `looking for image ${image}`);
    if (id) {
      emit({ type: 'image:present', image, imageId: id });
      return id;
    }
    if (policy === 'never') {
      throw new Error(
        `image ${image} is not on the daemon (${engine.endpoint}) and pull is "never"; ` + `load or build it first, or use pull: "missing"`,
      );
    }
  }
  await pullOnce(engine, image, { auth, emit, signal, policy: policy === 'always' ? 'always' : 'missing' });
  const id = await bounded(imageId(engine, image), signal, `looking for image ${image}`);
  if (!id) throw new Error(`image ${image} was pulled but the daemon does not show it`);
  emit({ type: 'image:pulled', image, imageId: id });
  return id;
}

async function imageId(engine: DockerEngine, image: string): Promise<string | undefined> {
  return (await engine.images.inspect(image))?.Id;
}
