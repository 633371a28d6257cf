import type { PullProgress } from '../backends/docker/engine/image-client.js';

/** Image-level progress of one pull, summed over its layers (the `image:pull-progress` event). */
export interface PullSummary {
  /** Layers fully pulled (or already on the daemon). */
  layersDone: number;
  /** Layers the image has, as far as the daemon said so far. */
  layersTotal: number;
  /** Bytes downloaded so far, over all layers. */
  bytesCurrent: number;
  /** Bytes to download, over the layers whose size the daemon reported. */
  bytesTotal: number;
  /** Average download rate since the first byte, in bytes per second. */
  bytesPerSecond: number;
}

/** Statuses that mean a layer is on the daemon. */
const LAYER_DONE = new Set(['Pull complete', 'Already exists']);
/** Statuses after which a layer's download is complete (extraction may still run). */
const DOWNLOADED = new Set(['Verifying Checksum', 'Download complete', 'Extracting', 'Pull complete']);
/** Statuses that are about a layer (the daemon also sends lines about the image, with the tag as id). */
const LAYER_STATUSES = new Set(['Pulling fs layer', 'Waiting', 'Downloading', 'Retrying', ...LAYER_DONE, ...DOWNLOADED]);

interface LayerState {
  current: number;
  total: number;
  done: boolean;
}

/** Folds the daemon's per-layer pull lines into a {@link PullSummary}. */
export class PullAggregator {
  private readonly layers = new Map<string, LayerState>();
  private firstByteAt: number | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /** Takes one line of the pull stream. */
  add(progress: PullProgress): void {
    const status = progress.status.startsWith('Retrying') ? 'Retrying' : progress.status;
    if (!progress.id || !LAYER_STATUSES.has(status)) return;
    const layer = this.layers.get(progress.id) ?? { current: 0, total: 0, done: false };
    this.layers.set(progress.id, layer);
    if (status === 'Downloading' && progress.total) {
      layer.total = progress.total;
      layer.current = Math.min(progress.current ?? 0, progress.total);
      this.firstByteAt ??= this.now();
    }
    if (DOWNLOADED.has(status)) layer.current = layer.total;
    if (LAYER_DONE.has(status)) layer.done = true;
  }

  summary(): PullSummary {
    let bytesCurrent = 0;
    let bytesTotal = 0;
    let layersDone = 0;
    for (const layer of this.layers.values()) {
      bytesCurrent += layer.current;
      bytesTotal += layer.total;
      if (layer.done) layersDone++;
    }
    const seconds = this.firstByteAt === undefined ? 0 : (this.now() - this.firstByteAt) / 1000;
    return {
      layersDone,
      layersTotal: this.layers.size,
      bytesCurrent,
      bytesTotal,
      bytesPerSecond: seconds > 0 ? Math.round(bytesCurrent / seconds) : 0,
    };
  }
}

/**
 * A pull's progress as one short line: layers, bytes and rate, e.g.
 * `pulling 1/3 layers · 12.0/48.5 MB · 6.1 MB/s`.
 *
 * @example
 * ```ts
 * runTool(image, args, [], { onEvent: (e) => { if (e.type === 'image:pull-progress') console.log(formatPullProgress(e)); } });
 * ```
 */
export function formatPullProgress(summary: PullSummary): string {
  const bytes = summary.bytesTotal > 0 ? ` · ${megabytes(summary.bytesCurrent)}/${megabytes(summary.bytesTotal)} MB` : '';
  const rate = summary.bytesPerSecond > 0 ? ` · ${megabytes(summary.bytesPerSecond)} MB/s` : '';
  return `pulling ${summary.layersDone}/${summary.layersTotal} layers${bytes}${rate}`;
}

function megabytes(bytes: number): string {
  return (bytes / 1_000_000).toFixed(1);
}
