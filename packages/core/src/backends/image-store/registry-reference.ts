import { registryOf } from '../../registry/registry-host.js';

/** Where an image reference points in a registry's HTTP API (distribution-spec). */
export interface RegistryReference {
  /** As credentials are looked up (`docker.io` for Docker Hub). */
  registry: string;
  /** The host the API is served on (`registry-1.docker.io` for Docker Hub). */
  apiHost: string;
  /** `library/busybox`, `biocontainers/samtools`, … */
  repository: string;
  /** A tag, or a `sha256:` digest (then the manifest's bytes must hash to it). */
  reference: string;
}

/**
 * Splits an image reference as the docker CLI reads it: the registry when the first component is a
 * host, Docker Hub otherwise (one-component names under `library/`), `:tag` (default `latest`) or
 * `@sha256:…` (a digest wins over a tag given with it).
 */
export function parseRegistryReference(image: string): RegistryReference {
  const [name, digest] = image.split('@') as [string, string | undefined];
  const registry = registryOf(name);
  const slash = name.indexOf('/');
  const first = slash === -1 ? undefined : name.slice(0, slash);
  const path = first !== undefined && (first === 'localhost' || /[.:]/.test(first)) ? name.slice(slash + 1) : name;
  const colon = path.lastIndexOf(':');
  const tag = colon > path.lastIndexOf('/') ? path.slice(colon + 1) : undefined;
  let repository = tag === undefined ? path : path.slice(0, colon);
  if (registry === 'docker.io' && !repository.includes('/')) repository = `library/${repository}`;
  if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/.test(repository))
    throw new Error(`${image} is no image reference a registry serves`);
  if (digest !== undefined && !/^sha256:[a-f0-9]{64}$/.test(digest)) throw new Error(`${image} has a digest that is not sha256:<64 hex>`);
  return { registry, apiHost: registry === 'docker.io' ? 'registry-1.docker.io' : registry, repository, reference: digest ?? tag ?? 'latest' };
}

/** Loopback registries are spoken to over plain HTTP when they have no TLS, as the Docker daemon does (127.0.0.0/8 is insecure by default). */
export function isLoopbackRegistry(host: string): boolean {
  const name = host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(name);
}
