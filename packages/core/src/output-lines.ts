import { createInterface } from 'node:readline';
import { PassThrough, type Readable } from 'node:stream';

/** One line of a tool's output, without its line ending. */
export interface OutputLine {
  stream: 'stdout' | 'stderr';
  line: string;
}

/**
 * Lines of both streams, merged in arrival order. Each stream is split by readline on its own
 * branch of the output, so the caller's pace applies backpressure to the tool.
 */
export async function* outputLines(stdout: Readable, stderr: Readable): AsyncGenerator<OutputLine> {
  const sources = [lineSource('stdout', stdout), lineSource('stderr', stderr)];
  const pending = new Map(sources.map((s) => [s, s.iterator.next().then((r) => ({ s, r }))]));
  while (pending.size > 0) {
    const { s, r } = await Promise.race(pending.values());
    if (r.done) {
      pending.delete(s);
      continue;
    }
    pending.set(s, s.iterator.next().then((next) => ({ s, r: next })));
    yield { stream: s.stream, line: r.value };
  }
}

function lineSource(stream: OutputLine['stream'], source: Readable) {
  const branch = new PassThrough();
  source.pipe(branch);
  const reader = createInterface({ input: branch, crlfDelay: Infinity });
  return { stream, iterator: reader[Symbol.asyncIterator]() as AsyncIterator<string> };
}
