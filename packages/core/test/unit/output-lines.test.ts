import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LineSplitter, outputLines } from '../../src/lifecycle/output-lines.js';

/** Feeds `chunks` through a splitter and returns every line, the last one included. */
function split(chunks: Array<string | Buffer>, max?: number): string[] {
  const splitter = new LineSplitter(max);
  const lines = chunks.flatMap((c) => splitter.push(Buffer.isBuffer(c) ? c : Buffer.from(c)));
  return [...lines, ...splitter.end()];
}

describe('LineSplitter', () => {
  it('splits on \\n, \\r\\n and a lone \\r, and keeps empty lines', () => {
    expect(split(['a\nb\r\nc\rd\n\n'])).toEqual(['a', 'b', 'c', 'd', '']);
  });

  it('joins lines across chunks, including a \\r\\n split between two chunks', () => {
    expect(split(['ab', 'c\r', '\nde', 'f\r', 'g\n'])).toEqual(['abc', 'def', 'g']);
  });

  it('gives a last line without a line ending at the end, and none after a final newline', () => {
    expect(split(['x\ny'])).toEqual(['x', 'y']);
    expect(split(['x\n'])).toEqual(['x']);
    expect(split([])).toEqual([]);
  });

  it('keeps a multi-byte character whole when a chunk boundary cuts it', () => {
    const bytes = Buffer.from('α€😀\n');
    const chunks = [...bytes].map((b) => Buffer.from([b])); // one byte at a time
    expect(split(chunks)).toEqual(['α€😀']);
  });

  it('caps a line, says how much was dropped, and carries on with the next line', () => {
    expect(split(['abcdefghij\nok\n'], 4)).toEqual(['abcd… [line truncated: 6 bytes dropped]', 'ok']);
    expect(split(['abc', 'defg', 'hij', '\nok'], 4)).toEqual(['abcd… [line truncated: 6 bytes dropped]', 'ok']);
  });

  it('cuts a capped line on a character boundary', () => {
    // "€" is 3 bytes: a cap of 5 after "ab" would split it, so the line keeps "ab€" only if it fits.
    expect(split(['ab€€\n'], 5)).toEqual(['ab€… [line truncated: 3 bytes dropped]']);
    expect(split(['ab€€\n'], 4)).toEqual(['ab… [line truncated: 6 bytes dropped]']);
  });

  it('holds no more than the cap for a huge line', () => {
    const splitter = new LineSplitter(1024);
    const chunk = Buffer.alloc(64 * 1024, 'a');
    for (let i = 0; i < 200; i++) expect(splitter.push(chunk)).toEqual([]);
    const [line] = splitter.push(Buffer.from('\n'));
    expect(line).toBe(`${'a'.repeat(1024)}… [line truncated: ${200 * 64 * 1024 - 1024} bytes dropped]`);
  });
});

describe('outputLines', () => {
  it("merges both streams' lines", async () => {
    const out = new PassThrough();
    const err = new PassThrough();
    out.end('o1\no2\n');
    err.end('e1');
    const lines = [];
    for await (const l of outputLines(out, err)) lines.push(l);
    expect(lines.filter((l) => l.stream === 'stdout').map((l) => l.line)).toEqual(['o1', 'o2']);
    expect(lines.filter((l) => l.stream === 'stderr').map((l) => l.line)).toEqual(['e1']);
  });

  it('after a break, the source flows on to its other consumers instead of stalling', async () => {
    const out = new PassThrough();
    const err = new PassThrough();
    let received = 0;
    out.pipe(new Writable({ write: (chunk: Buffer, _e, cb) => ((received += chunk.length), cb()) }));
    const line = Buffer.from(`${'x'.repeat(99)}\n`);
    const writeAll = async (count: number) => {
      for (let i = 0; i < count; i++) {
        if (!out.write(line)) await new Promise((resolve) => out.once('drain', resolve));
      }
    };
    // What `for await (…) { break; }` does: one line taken, then return().
    const lines = outputLines(out, err);
    const first = lines.next();
    out.write(line);
    expect((await first).value).toEqual({ stream: 'stdout', line: 'x'.repeat(99) });
    await lines.return(undefined);
    const wrote = writeAll(20_000); // 2 MB: far beyond every buffer on the way
    await expect(Promise.race([wrote.then(() => 'done'), new Promise((r) => setTimeout(() => r('stalled'), 3_000))])).resolves.toBe('done');
    out.end();
    err.end();
    await new Promise((resolve) => setImmediate(resolve));
    expect(received).toBe(20_001 * 100);
  });
});
