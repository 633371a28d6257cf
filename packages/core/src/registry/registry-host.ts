/** The key the docker CLI stores Docker Hub credentials under (config.json, credential helpers). */
export const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

const DOCKER_HUB_NAMES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/**
 * The registry an image reference pulls from, as the daemon decides: the first path component
 * when it looks like a host (a "." or ":port", or `localhost`), else Docker Hub (`docker.io`).
 */
export function registryOf(image: string): string {
  const name = image.split('@')[0]!;
  const slash = name.indexOf('/');
  const first = slash === -1 ? undefined : name.slice(0, slash);
  const isHost = first !== undefined && (first === 'localhost' || /[.:]/.test(first));
  if (!isHost || DOCKER_HUB_NAMES.has(first)) return 'docker.io';
  return first;
}

/**
 * The key credentials for `registry` are stored under, as the docker CLI writes and reads it:
 * `https://index.docker.io/v1/` for Docker Hub, `host[:port]` for every other registry.
 */
export function credentialKey(registry: string): string {
  return registry === 'docker.io' ? DOCKER_HUB_KEY : registry;
}

/**
 * The host part of a stored key, so legacy entries such as `https://quay.io/v1/` or
 * `http://127.0.0.1:5000` still match (the docker CLI's ConvertToHostname).
 */
export function keyHost(key: string): string {
  const withoutScheme = key.replace(/^https?:\/\//, '');
  return withoutScheme.split('/')[0]!;
}
