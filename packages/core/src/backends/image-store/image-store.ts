import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lockImage } from './store-lock.js';
import type { EventListener } from '../../lifecycle/events.js';
import { localOwner } from '../../util/process-owner.js';
import { convertFromDaemon, inspectInDaemon, type DaemonImage } from './daemon-source.js';
import { readDockerArchive } from './docker-archive.js';
import { downloadLayers, resolveInRegistry, type RegistryImage } from './registry-source.js';
import type { ImageConfig } from './image-config.js';
import { applyLayer, type LayerReport } from './layer-apply.js';
import { ensureMountPoints } from './mount-points.js';
import { storeKey, type StoredImage } from './stored-image.js';

/** An image ready to run: its directory (a root filesystem) and what its config says. */
export interface ReadyImage extends StoredImage {
  dir: string;
}

/**
 * Images as directories, converted once (`ch-convert`) and shared by every run, process and node
 * that sees the directory: `<dir>/images/<key>/` with `<key>.json` beside it (written last, so its
 * presence means complete). Keyed by image id, never by tag. A conversion holds
 * `<dir>/locks/<key>.lock` (O_EXCL; owner and pid; refreshed; broken when its holder died or
 * stopped refreshing: cache/cache-lock.ts), writes to a hidden temp name and renames into place:
 * a thousand tasks asking at once convert once; a crash leaves no half image under the real name.
 */
export class ImageStore {
  constructor(readonly dir: string) {}

  /**
   * The image for `image`: with `pull: "missing"` the newest stored image of that name, else the
   * one the local daemon has, converted unless already stored; with no daemon that has it, the
   * one its registry serves, pulled without any daemon. With `"always"` the registry's current
   * image, as `docker pull` gives it (a tag that moved gives the new image; a local copy, stored
   * or in a daemon, does not stand in for it).
   */
  async ensure(
    image: string,
    options: { pull: 'missing' | 'always' | 'never'; signal: AbortSignal; emit: EventListener; env?: NodeJS.ProcessEnv },
  ): Promise<ReadyImage> {
    if (options.pull === 'always') return await this.pullAgain(image, options);
    const stored = this.find(image);
    if (stored) {
      options.emit({ type: 'image:present', image, imageId: stored.imageId });
      return stored;
    }
    const inDaemon = await inspectInDaemon(image, options.signal, options.env);
    if (!inDaemon.found) return await this.fromRegistry(image, inDaemon.why, options);
    const known = this.byId(inDaemon.image.imageId);
    if (known) {
      await this.addNames(known, [image]);
      options.emit({ type: 'image:present', image, imageId: known.imageId });
      return known;
    }
    if (options.pull === 'never') throw new Error(`${image} is not in the image store (${this.dir}) and pull is "never"`);
    return await this.convert(image, inDaemon.image, options);
  }

  /**
   * No daemon has it (an HPC node has none): its registry, as `docker pull` would ask it — the
   * manifest for this platform, then each layer downloaded (checked against its digest) and
   * applied without any daemon (layer-apply.ts), keyed by the image id the daemon would show.
   */
  private async fromRegistry(
    image: string,
    notInDaemon: string,
    options: { pull: 'missing' | 'always' | 'never'; signal: AbortSignal; emit: EventListener },
  ): Promise<ReadyImage> {
    const inRegistry = options.pull === 'never' ? { found: false as const, why: 'pull is "never"' } : await resolveInRegistry(image, options.signal);
    if (!inRegistry.found) {
      throw new Error(
        `${image} is not in the image store (${this.dir}), ${notInDaemon}, and ${inRegistry.why}: push it to a registry this machine reaches, convert it once where a Docker or Podman daemon has it (the store is shared), load a \`docker save\` archive of it (\`engine.images.load(archive)\`), or name an image the store holds (\`engine.images.list()\`)`,
      );
    }
    return await this.installPulled(image, inRegistry.image, options);
  }

  /** `pull: "always"`: what the registry serves now, or a failure saying why — as the Docker engine fails. */
  private async pullAgain(
    image: string,
    options: { pull: 'missing' | 'always' | 'never'; signal: AbortSignal; emit: EventListener },
  ): Promise<ReadyImage> {
    const inRegistry = await resolveInRegistry(image, options.signal);
    if (!inRegistry.found) {
      throw new Error(
        `pull is "always" but ${inRegistry.why.replace(/^its registry/, `the registry of ${image}`)}: a copy in the image store or a local daemon may be older than the registry's, so it does not stand in; pass pull: "missing" to run the image the store or a local Docker or Podman daemon has`,
      );
    }
    return await this.installPulled(image, inRegistry.image, options);
  }

  /** A registry's image: the stored one of the same id, else downloaded and applied into the store. */
  private async installPulled(image: string, pulled: RegistryImage, options: { signal: AbortSignal; emit: EventListener }): Promise<ReadyImage> {
    const known = this.byId(pulled.imageId);
    if (known) {
      options.emit({ type: 'image:present', image, imageId: known.imageId });
      return await this.addNames(known, [image]);
    }
    return await this.install(image, { ...pulled, names: [image] }, `registry:${image}`, options, async (temp, progress) => {
      const staging = `${temp}.layers`;
      await mkdir(staging, { mode: 0o700 });
      try {
        await applyLayers(temp, await downloadLayers(pulled, staging, progress), options.signal, progress);
      } finally {
        await rm(staging, { recursive: true, force: true });
      }
    });
  }

  /** Every complete image, newest first. */
  list(): ReadyImage[] {
    const images = join(this.dir, 'images');
    let names: string[];
    try {
      names = readdirSync(images);
    } catch {
      return [];
    }
    const found: ReadyImage[] = [];
    for (const name of names) {
      if (!name.endsWith('.json') || name.startsWith('.')) continue;
      const meta = readMeta(join(images, name));
      const dir = join(images, name.slice(0, -'.json'.length));
      if (meta && existsSync(dir)) found.push({ ...meta, dir });
    }
    return found.sort((a, b) => b.convertedAt.localeCompare(a.convertedAt));
  }

  /** Removes images (all, or those `keep` says no to), and leftovers of dead conversions. */
  async prune(keep: (image: ReadyImage) => boolean = () => false): Promise<ReadyImage[]> {
    const removed: ReadyImage[] = [];
    for (const image of this.list()) {
      if (keep(image)) continue;
      // The metadata first: a run starting now no longer finds it; one running keeps its open files.
      await rm(`${image.dir}.json`, { force: true });
      await rm(image.dir, { recursive: true, force: true });
      removed.push(image);
    }
    return removed;
  }

  /** The image stored under `image` (a name it was converted from, or its id), without asking a daemon. */
  find(image: string): ReadyImage | undefined {
    return this.byName(image) ?? this.byId(image);
  }

  private byName(image: string): ReadyImage | undefined {
    return this.list().find((stored) => stored.names.includes(image));
  }

  private byId(imageId: string): ReadyImage | undefined {
    if (!/^[a-z0-9]+:[a-f0-9]{32,}$/.test(imageId)) return undefined;
    return this.list().find((stored) => stored.imageId === imageId);
  }

  /** `stored` with `names` it lacks added (one metadata write); as it was where the store is read-only. */
  private async addNames(stored: ReadyImage, names: string[]): Promise<ReadyImage> {
    const missing = names.filter((name) => !stored.names.includes(name));
    if (missing.length === 0) return stored;
    const { dir, ...meta } = stored;
    const updated = { ...meta, names: [...meta.names, ...missing] };
    await writeMeta(`${dir}.json`, updated).catch(() => {}); // a read-only shared store: still usable
    return { ...updated, dir };
  }

  /**
   * Stores the image of a `docker save` / `podman save` archive (`image` picks one of several, by
   * tag or id) without any daemon: each layer applied in order (layer-apply.ts: whiteouts, every
   * path kept inside the image), keyed by the image id the daemon that saved it shows. Already
   * stored: its names are added and nothing is unpacked.
   */
  async load(archive: string, options: { image?: string; signal?: AbortSignal; emit?: EventListener } = {}): Promise<ReadyImage> {
    const signal = options.signal ?? new AbortController().signal;
    const emit = options.emit ?? (() => {});
    const staging = join(this.dir, 'images', `.archive-${localOwner()}-${randomBytes(4).toString('hex')}`);
    try {
      const read = await readDockerArchive(archive, staging, signal, options.image);
      const name = options.image ?? read.names[0] ?? read.imageId;
      const known = this.byId(read.imageId);
      if (known) {
        emit({ type: 'image:present', image: name, imageId: read.imageId });
        return await this.addNames(known, read.names);
      }
      return await this.install(
        name,
        { ...read, names: read.names.length ? read.names : [name] },
        `archive:${archive}`,
        { signal, emit },
        (temp, progress) => applyLayers(temp, read.layers, signal, progress),
      );
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  private async convert(
    image: string,
    source: DaemonImage,
    options: { signal: AbortSignal; emit: EventListener; env?: NodeJS.ProcessEnv },
  ): Promise<ReadyImage> {
    return await this.install(image, { ...source, names: [image] }, 'docker', options, (temp, progress) =>
      convertFromDaemon(image, temp, options.signal, progress, options.env),
    );
  }

  /**
   * Fills a new image directory under the image's lock — at a hidden temp name, renamed into
   * place, metadata written last — unless another process stored it meanwhile.
   */
  private async install(
    image: string,
    source: ImageConfig & { imageId: string; names: string[] },
    from: string,
    options: { signal: AbortSignal; emit: EventListener },
    fill: (temp: string, progress: (status: string) => void) => Promise<void>,
  ): Promise<ReadyImage> {
    const key = storeKey(source.imageId);
    const images = join(this.dir, 'images');
    mkdirSync(images, { recursive: true });
    const release = await lockImage(this.dir, key, options.signal);
    try {
      const done = this.byId(source.imageId); // stored by another process while we waited
      if (done) return done;
      const dir = join(images, key);
      await rm(dir, { recursive: true, force: true }); // a crash after the rename, before the metadata
      const temp = join(images, `.${key}.partial-${localOwner()}-${randomBytes(4).toString('hex')}`);
      const started = Date.now();
      options.emit({ type: 'image:convert', image, imageId: source.imageId, status: 'converting', elapsedMs: 0 });
      try {
        await fill(temp, (status) =>
          options.emit({ type: 'image:convert', image, imageId: source.imageId, status, elapsedMs: Date.now() - started }),
        );
        await rename(temp, dir);
      } catch (error) {
        await rm(temp, { recursive: true, force: true });
        throw error;
      }
      const meta: StoredImage = {
        imageId: source.imageId,
        names: source.names,
        source: from,
        entrypoint: source.entrypoint,
        cmd: source.cmd,
        env: source.env,
        workingDir: source.workingDir,
        convertedAt: new Date().toISOString(),
      };
      await writeMeta(`${dir}.json`, meta);
      options.emit({ type: 'image:converted', image, imageId: source.imageId, durationMs: Date.now() - started });
      return { ...meta, dir };
    } finally {
      await release();
    }
  }
}

/** An archive's layers, lowest first, into `root`; directories' modes last. */
async function applyLayers(root: string, layers: string[], signal: AbortSignal, progress: (status: string) => void): Promise<void> {
  await mkdir(root, { mode: 0o755 });
  const report: LayerReport = { directoryModes: new Map(), skipped: 0 };
  for (const [index, layer] of layers.entries()) {
    progress(`layer ${index + 1}/${layers.length}`);
    await applyLayer(root, createReadStream(layer), signal, report);
  }
  for (const [dir, mode] of report.directoryModes) await chmod(dir, mode).catch(() => {}); // a later layer removed it
  await ensureMountPoints(root);
  if (report.skipped) progress(`skipped ${report.skipped} device or FIFO entries (an unprivileged user cannot make them)`);
}

function readMeta(path: string): StoredImage | undefined {
  try {
    const meta = JSON.parse(readFileSync(path, 'utf8')) as StoredImage;
    return typeof meta.imageId === 'string' && Array.isArray(meta.names) ? meta : undefined;
  } catch {
    return undefined;
  }
}

async function writeMeta(path: string, meta: StoredImage): Promise<void> {
  const temp = `${path}.partial-${randomBytes(4).toString('hex')}`;
  await writeFile(temp, JSON.stringify(meta, null, 2));
  await rename(temp, path);
}
