import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tarEntries, writeTarEntry } from '../../util/tar-entries.js';
import { imageConfig, type ImageConfig } from './image-config.js';

/** One image of a `docker save` archive, its members staged on disk. */
export interface ArchiveImage extends ImageConfig {
  /** `sha256:` + the config's digest: the id `docker image inspect` shows. */
  imageId: string;
  /** The archive's tags for it (`RepoTags`). */
  names: string[];
  /** The staged layer files, lowest first. */
  layers: string[];
}

interface ManifestEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

/**
 * Reads a `docker save` (or `podman save`) archive: every member is staged under `staging`
 * (named by a hash of its name — the archive's names never become paths), then `manifest.json`
 * says which config and layers make the image. `image` picks one of several by tag or id.
 */
export async function readDockerArchive(archive: string, staging: string, signal: AbortSignal, image?: string): Promise<ArchiveImage> {
  await mkdir(staging, { recursive: true });
  const staged = new Map<string, string>();
  for await (const entry of tarEntries(createReadStream(archive), signal)) {
    const name = entry.header.name.replace(/^\.\//, '');
    if (entry.header.type === 'file' && !staged.has(name)) {
      const path = join(staging, createHash('sha256').update(name).digest('hex'));
      await writeTarEntry(entry, path);
      staged.set(name, path);
    }
  }
  const member = (name: string) => {
    const path = staged.get(name.replace(/^\.\//, ''));
    if (!path) throw new Error(`${archive} is no image archive docker save writes: ${name} is missing`);
    return path;
  };
  const manifest = JSON.parse(await readFile(member('manifest.json'), 'utf8')) as ManifestEntry[];
  const entry = await pick(manifest, image, archive, member);
  const configBytes = await readFile(member(entry.Config));
  return {
    imageId: `sha256:${createHash('sha256').update(configBytes).digest('hex')}`,
    names: entry.RepoTags ?? [],
    layers: entry.Layers.map(member),
    ...imageConfig(configBytes),
  };
}

async function pick(manifest: ManifestEntry[], image: string | undefined, archive: string, member: (name: string) => string): Promise<ManifestEntry> {
  if (!Array.isArray(manifest) || manifest.length === 0) throw new Error(`${archive} holds no image (manifest.json is empty)`);
  if (image === undefined) {
    if (manifest.length === 1) return manifest[0]!;
    throw new Error(`${archive} holds ${manifest.length} images: name one (${manifest.flatMap((m) => m.RepoTags ?? []).join(', ')})`);
  }
  for (const entry of manifest) {
    if (entry.RepoTags?.includes(image)) return entry;
    const id = `sha256:${createHash('sha256')
      .update(await readFile(member(entry.Config)))
      .digest('hex')}`;
    if (id === image) return entry;
  }
  throw new Error(`${archive} holds no image ${image} (it has ${manifest.flatMap((m) => m.RepoTags ?? []).join(', ') || 'untagged images'})`);
}
