import { createReadStream } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import type { ParsedRunOptions } from '../api/options.js';
import { heldInput, releaseStdin } from './held-stdin.js';

type StdinSource = NonNullable<ParsedRunOptions['stdin']>;

/**
 * Streams the run's stdin into the tool and ends it so the tool sees EOF. A source that fails
 * (an unreadable file, a Readable destroyed with an error) ends the run through `onFailure`,
 * never as an uncaught 'error'. When the tool stops reading (it exited), a source we opened is
 * closed; a caller's stream is only unpiped (it is theirs).
 */
export function feedStdin(source: StdinSource, target: Writable, onFailure: (error: Error) => void): void {
  const ours = !(source instanceof Readable);
  const input =
    typeof source === 'string' || source instanceof Uint8Array
      ? Readable.from([Buffer.from(source)])
      : source instanceof Readable
        ? heldInput(source)
        : createReadStream((source as { file: string }).file);
  const fail = (error: Error) => {
    input.unpipe(target);
    onFailure(new Error(`Could not read the tool's stdin (${error.message})`, { cause: error }));
  };
  // A held source may have failed before we listened.
  if (input.errored) return fail(input.errored);
  input.on('error', fail);
  target.once('close', () => {
    input.unpipe(target);
    if (ours) input.destroy();
    else releaseStdin(source);
  });
  input.pipe(target);
}
