import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DockerDemuxer } from '../../src/backends/docker/engine/demux.js';

function frame(type: number, payload: string): Buffer {
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(Buffer.byteLength(payload), 4);
  return Buffer.concat([header, Buffer.from(payload)]);
}

function collect(stream: PassThrough): Promise<string> {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return new Promise((resolve) => stream.on('end', () => resolve(Buffer.concat(chunks).toString())));
}

describe('DockerDemuxer', () => {
  it('splits frames even when headers and payloads are cut at every byte', async () => {
    const wire = Buffer.concat([frame(1, 'hello '), frame(2, 'warning\n'), frame(1, 'world'), frame(3, '!')]);
    const out = new PassThrough();
    const err = new PassThrough();
    const demuxer = new DockerDemuxer(out, err);
    const texts = Promise.all([collect(out), collect(err)]);
    for (let i = 0; i < wire.length; i++) demuxer.write(wire.subarray(i, i + 1));
    demuxer.end();
    expect(await texts).toEqual(['hello world', 'warning\n!']);
  });

  it("keeps a runtime notice (Podman's broken attach) out of the tool's stderr, byte for byte otherwise", async () => {
    const notice = 'Error: read unixpacket @->/run/libpod/socket/abc/attach: read: connection reset by peer\n';
    const wire = Buffer.concat([frame(2, 'tool says Error: x\n'), frame(1, 'out'), frame(2, notice)]);
    const out = new PassThrough();
    const err = new PassThrough();
    const demuxer = new DockerDemuxer(out, err, (text) => text.startsWith('Error: read unixpacket'));
    const texts = Promise.all([collect(out), collect(err)]);
    for (let i = 0; i < wire.length; i++) demuxer.write(wire.subarray(i, i + 1));
    demuxer.end();
    expect(await texts).toEqual(['out', 'tool says Error: x\n']);
    expect(demuxer.notices).toEqual([notice.trim()]);
  });

  it('waits for a slow consumer instead of buffering without bound', async () => {
    let accepted = 0;
    const slow = new Writable({
      highWaterMark: 16,
      write(chunk: Buffer, _e, cb) {
        accepted += chunk.length;
        setTimeout(cb, 5);
      },
    });
    const demuxer = new DockerDemuxer(slow, new PassThrough());
    let completedWrites = 0;
    for (let i = 0; i < 5; i++) demuxer.write(frame(1, 'x'.repeat(64)), () => completedWrites++);
    await new Promise((r) => setTimeout(r, 1));
    expect(completedWrites).toBeLessThan(5); // held back by the consumer
    await new Promise((r) => demuxer.end(r));
    expect(accepted).toBe(5 * 64);
  });
});
