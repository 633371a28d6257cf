import { lstatSync, mkdirSync, readFileSync, readlinkSync, existsSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack, type Header } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { applyLayer, type LayerReport } from '../../../src/backends/image-store/layer-apply.js';
import { tempDir } from '#test-support/temp-dir.js';

type Member = Partial<Header> & { name: string; body?: string };

/** A layer tar of `members`, as a registry or `docker save` would hold it. */
async function layerOf(members: Member[], gzip = false): Promise<Buffer> {
  const tar = pack();
  for (const { body, ...header } of members)
    if (body === undefined) tar.entry(header as Header);
    else tar.entry({ type: 'file', ...header } as Header, body);
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  return gzip ? gzipSync(bytes) : bytes;
}

async function apply(root: string, layers: Member[][], gzip = false): Promise<LayerReport> {
  const report: LayerReport = { directoryModes: new Map(), skipped: 0 };
  for (const layer of layers) await applyLayer(root, Readable.from([await layerOf(layer, gzip)]), AbortSignal.timeout(10_000), report);
  return report;
}

describe('applying image layers (OCI whiteouts; untrusted content stays inside the image)', () => {
  it('later layers replace, .wh. deletes, an opaque directory keeps only its own layer; gzip or not', async () => {
    for (const gzip of [false, true]) {
      const root = tempDir('layers');
      await apply(
        root,
        [
          [
            { name: 'etc/', type: 'directory', mode: 0o755 },
            { name: 'etc/a', body: 'one' },
            { name: 'etc/gone', body: 'x' },
            { name: 'opt/old/keep', body: 'lower' },
            { name: 'bin/tool', body: '#!/bin/sh', mode: 0o4755 },
          ],
          [
            { name: 'etc/a', body: 'two' },
            { name: 'etc/.wh.gone', body: '' },
            { name: 'opt/old/new', body: 'upper' },
            { name: 'opt/old/.wh..wh..opq', body: '' },
          ],
        ],
        gzip,
      );
      expect(readFileSync(join(root, 'etc/a'), 'utf8')).toBe('two');
      expect(existsSync(join(root, 'etc/gone'))).toBe(false);
      expect(existsSync(join(root, 'opt/old/keep'))).toBe(false);
      expect(readFileSync(join(root, 'opt/old/new'), 'utf8')).toBe('upper');
      expect(statSync(join(root, 'bin/tool')).mode & 0o7777).toBe(0o755); // set-id dropped
    }
  });

  it('names with .. or a leading / land inside the image, never beside it', async () => {
    const parent = tempDir('layers-escape');
    const root = join(parent, 'root');
    mkdirSync(root);
    await apply(root, [
      [
        { name: '../../escaped', body: 'x' },
        { name: '/abs', body: 'y' },
      ],
    ]);
    expect(existsSync(join(parent, 'escaped'))).toBe(false);
    expect(readFileSync(join(root, 'escaped'), 'utf8')).toBe('x');
    expect(readFileSync(join(root, 'abs'), 'utf8')).toBe('y');
  });

  it('a symlink pointing outside is followed as inside the container: writes through it stay in the image', async () => {
    const outside = tempDir('layers-outside');
    writeFileSync(join(outside, 'victim'), 'safe');
    const root = tempDir('layers-links');
    await apply(root, [
      [
        { name: 'evil', type: 'symlink', linkname: outside },
        { name: 'up', type: 'symlink', linkname: '../../../..' + outside },
      ],
      [
        { name: 'evil/victim', body: 'pwned' },
        { name: 'up/victim2', body: 'pwned' },
        { name: 'evil', type: 'symlink', linkname: '/etc' }, // replaces the link itself
      ],
    ]);
    expect(readFileSync(join(outside, 'victim'), 'utf8')).toBe('safe');
    expect(existsSync(join(outside, 'victim2'))).toBe(false);
    expect(readFileSync(join(root, outside, 'victim'), 'utf8')).toBe('pwned');
    expect(readlinkSync(join(root, 'evil'))).toBe('/etc');
  });

  it('a file replacing a symlink replaces the link, never writes through it', async () => {
    const outside = tempDir('layers-outside2');
    writeFileSync(join(outside, 'target'), 'safe');
    const root = tempDir('layers-replace');
    await apply(root, [[{ name: 'f', type: 'symlink', linkname: join(outside, 'target') }], [{ name: 'f', body: 'new' }]]);
    expect(readFileSync(join(outside, 'target'), 'utf8')).toBe('safe');
    expect(lstatSync(join(root, 'f')).isFile()).toBe(true);
  });

  it('a hard link must name a file of the image; one naming a host file is refused', async () => {
    const root = tempDir('layers-hardlink');
    await apply(root, [
      [
        { name: 'a', body: 'shared' },
        { name: 'b', type: 'link', linkname: 'a' },
      ],
    ]);
    expect(statSync(join(root, 'b')).ino).toBe(statSync(join(root, 'a')).ino);
    const outside = tempDir('layers-hardlink-out');
    writeFileSync(join(outside, 'secret'), 'host');
    const second = tempDir('layers-hardlink2');
    await expect(apply(second, [[{ name: 'stolen', type: 'link', linkname: join(outside, 'secret') }]])).rejects.toThrow(/no file of the image/);
    expect(existsSync(join(second, 'stolen'))).toBe(false);
  });

  it('devices and FIFOs are skipped and counted; directory modes are kept for the end (owner rwx), file modes as they are', async () => {
    const root = tempDir('layers-devices');
    const report = await apply(root, [
      [
        { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3 },
        { name: 'ro/', type: 'directory', mode: 0o555 },
        { name: 'ro/file', body: 'x', mode: 0o444 },
      ],
    ]);
    expect(report.skipped).toBe(1);
    expect(existsSync(join(root, 'dev/null'))).toBe(false);
    expect(report.directoryModes.get(join(root, 'ro'))).toBe(0o755);
    expect(statSync(join(root, 'ro/file')).mode & 0o777).toBe(0o444);
  });

  it('cancel ends the layer', async () => {
    const root = tempDir('layers-cancel');
    const controller = new AbortController();
    controller.abort(new Error('canceled'));
    const report: LayerReport = { directoryModes: new Map(), skipped: 0 };
    await expect(applyLayer(root, Readable.from([await layerOf([{ name: 'a', body: 'x' }])]), controller.signal, report)).rejects.toThrow();
    expect(existsSync(join(root, 'a'))).toBe(false);
  });
});
