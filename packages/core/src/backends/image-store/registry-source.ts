import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { imageConfig, type ImageConfig } from './image-config.js';
import { RegistryClient } from './registry-client.js';
import { parseRegistryReference } from './registry-reference.js';

/** A layer or config as a manifest names it. */
interface Descriptor {
  mediaType?: string;
  digest: string;
  size: number;
  platform?: { os?: string; architecture?: string };
}

/** An image a registry serves, its config read; its layers are downloaded by {@link downloadLayers}. */
export interface RegistryImage extends ImageConfig {
  /** `sha256:` + the config's digest: the id the Docker daemon shows once it pulled it. */
  imageId: string;
  layers: Descriptor[];
  client: RegistryClient;
}

const MANIFEST = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'];
const INDEX = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];
const LAYER = /^application\/vnd\.(oci\.image\.layer\.v1\.tar(\+gzip)?|docker\.image\.rootfs\.diff\.tar\.gzip)$/;

/**
 * Asks the image's registry for it, as a daemonless node must: the manifest for the tag or
 * digest (from an index, the one for this machine's platform), then the config. The config's
 * digest is the image id, so an image pulled here and one converted from a daemon share a store
 * entry. Why it could not be had, in words, when the registry does not serve it.
 */
export async function resolveInRegistry(
  image: string,
  signal: AbortSignal,
): Promise<{ found: true; image: RegistryImage } | { found: false; why: string }> {
  let client: RegistryClient;
  try {
    client = new RegistryClient(parseRegistryReference(image), signal);
  } catch (error) {
    return { found: false, why: (error as Error).message };
  }
  try {
    const manifest = await manifestOf(client, client.ref.reference, 0);
    const config = await client.blobBytes(manifest.config.digest, manifest.config.size);
    return { found: true, image: { imageId: manifest.config.digest, layers: manifest.layers, client, ...imageConfig(config) } };
  } catch (error) {
    if (signal.aborted) throw error;
    return { found: false, why: `its registry did not serve it: ${(error as Error).message}` };
  }
}

/** Each layer into `staging` (checked against its digest), lowest first; their paths. */
export async function downloadLayers(image: RegistryImage, staging: string, progress: (status: string) => void): Promise<string[]> {
  const paths: string[] = [];
  for (const [index, layer] of image.layers.entries()) {
    progress(`layer ${index + 1}/${image.layers.length}: downloading ${(layer.size / 1e6).toFixed(1)} MB`);
    const path = join(staging, layer.digest.replace(':', '-'));
    await image.client.blobToFile(layer.digest, layer.size, path);
    paths.push(path);
  }
  return paths;
}

async function manifestOf(client: RegistryClient, reference: string, depth: number): Promise<{ config: Descriptor; layers: Descriptor[] }> {
  const { bytes, type: served } = await client.manifestBytes(reference, [...MANIFEST, ...INDEX].join(', '));
  if (reference.startsWith('sha256:')) {
    const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (actual !== reference) throw new Error(`the manifest sent for ${reference} hashes to ${actual}: refused`);
  }
  const manifest = JSON.parse(bytes.toString('utf8')) as {
    mediaType?: string;
    schemaVersion?: number;
    config?: Descriptor;
    layers?: Descriptor[];
    manifests?: Descriptor[];
  };
  const type = manifest.mediaType ?? served;
  if (INDEX.includes(type) || (Array.isArray(manifest.manifests) && !manifest.config)) {
    if (depth > 0) throw new Error('an image index inside an image index');
    return manifestOf(client, platformManifest(manifest.manifests ?? []).digest, depth + 1);
  }
  if (manifest.schemaVersion !== 2 || !manifest.config || !Array.isArray(manifest.layers)) {
    throw new Error(`a manifest tooldock cannot read (${type || `schema ${manifest.schemaVersion}`}; Docker schema 2 and OCI are)`);
  }
  for (const layer of manifest.layers) {
    if (!LAYER.test(layer.mediaType ?? '')) throw new Error(`a layer of type ${layer.mediaType} (gzip or plain tar layers are supported)`);
    if (!/^sha256:[a-f0-9]{64}$/.test(layer.digest) || !Number.isSafeInteger(layer.size) || layer.size < 0)
      throw new Error(`a layer descriptor that is not valid`);
  }
  if (!/^sha256:[a-f0-9]{64}$/.test(manifest.config.digest)) throw new Error('a config digest that is not sha256');
  return { config: manifest.config, layers: manifest.layers };
}

/** The index entry for linux on this machine's architecture. */
export function platformManifest(manifests: Descriptor[], arch = process.arch): Descriptor {
  const architecture = ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[arch] ?? arch;
  const match = manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === architecture);
  if (!match) {
    const offered = manifests.map((m) => `${m.platform?.os}/${m.platform?.architecture}`).join(', ');
    throw new Error(`no image for linux/${architecture} in its index (it has ${offered || 'none'})`);
  }
  return match;
}
