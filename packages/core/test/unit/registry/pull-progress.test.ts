import { describe, expect, it } from 'vitest';
import { formatPullProgress } from '@tooldock/core/images';
import { PullAggregator } from '../../../src/registry/pull-progress.js';

describe('pull progress: per-layer daemon lines → one image-level summary', () => {
  it('counts layers, bytes and the rate', () => {
    let now = 1_000;
    const pull = new PullAggregator(() => now);
    pull.add({ status: 'Pulling from private/tool', id: '1' }); // about the image, not a layer
    pull.add({ status: 'Pulling fs layer', id: 'a' });
    pull.add({ status: 'Already exists', id: 'b' });
    pull.add({ status: 'Downloading', id: 'a', current: 1_000_000, total: 4_000_000 });
    now += 1_000;
    pull.add({ status: 'Downloading', id: 'a', current: 3_000_000, total: 4_000_000 });
    expect(pull.summary()).toEqual({ layersDone: 1, layersTotal: 2, bytesCurrent: 3_000_000, bytesTotal: 4_000_000, bytesPerSecond: 3_000_000 });
    pull.add({ status: 'Download complete', id: 'a' });
    pull.add({ status: 'Extracting', id: 'a', current: 10, total: 9_000_000 }); // extraction sizes are not download bytes
    pull.add({ status: 'Pull complete', id: 'a' });
    pull.add({ status: 'Digest: sha256:abc' });
    const done = pull.summary();
    expect(done).toMatchObject({ layersDone: 2, layersTotal: 2, bytesCurrent: 4_000_000, bytesTotal: 4_000_000 });
    expect(formatPullProgress(done)).toBe('pulling 2/2 layers · 4.0/4.0 MB · 4.0 MB/s');
  });

  it('words a pull with no sizes yet', () => {
    expect(formatPullProgress({ layersDone: 0, layersTotal: 3, bytesCurrent: 0, bytesTotal: 0, bytesPerSecond: 0 })).toBe('pulling 0/3 layers');
  });
});
