import { Readable, Writable } from 'node:stream';
import { pipedSourceOf } from '../cache/piped-source.js';
import type { ParsedRunOptions } from '../api/options.js';
import type { RecordedStdio } from './run-record.js';

/**
 * How a call's standard streams were connected, for a record: the kind of each, and a file's
 * path. Never the bytes of a text stdin (they may be a secret); a stream only as "a stream".
 */
export function recordedStdio(options: ParsedRunOptions): RecordedStdio {
  return { stdin: stdinKind(options.stdin), stdout: sinkKind(options.stdout), stderr: sinkKind(options.stderr) };
}

function stdinKind(stdin: ParsedRunOptions['stdin']): RecordedStdio['stdin'] {
  if (stdin === undefined) return 'none';
  if (typeof stdin === 'string' || stdin instanceof Uint8Array) return 'text';
  if (!(stdin instanceof Readable) && 'file' in stdin && typeof stdin.file === 'string') return { file: stdin.file };
  return pipedSourceOf(stdin as Readable) ? 'run' : 'stream';
}

function sinkKind(sink: ParsedRunOptions['stdout']): RecordedStdio['stdout'] {
  if (sink === 'capture' || sink === 'ignore') return sink;
  if (!(sink instanceof Writable) && typeof sink === 'object' && sink !== null && 'file' in sink && typeof sink.file === 'string')
    return { file: sink.file };
  return 'stream';
}
