import type { Duplex, Readable } from 'node:stream';
import type { ToolIo } from '../../tool-backend.js';
import { bounded } from '../../../lifecycle/bounded.js';
import type { DockerEngine } from './docker-engine.js';

/** A created container's attach stream and its registered wait. */
export interface Attachment {
  /** The multiplexed output (a hijacked duplex when stdin is attached too). */
  stream: Readable | Duplex;
  /** Settles with the exit code. */
  exited: Promise<number>;
}

/**
 * Attaches and registers the wait, both before start: attaching later loses the first bytes,
 * waiting later can miss a fast exit. They are independent, so both are asked for at once; if
 * either fails (or the run is aborted meanwhile), the other is released.
 */
export async function attachContainer(engine: DockerEngine, containerId: string, io: ToolIo, signal: AbortSignal): Promise<Attachment> {
  const attaching = engine.containers.attach(containerId, { stdin: io.stdin });
  const waiting = engine.containers.registerWait(containerId);
  const [attachment, wait] = await Promise.allSettled([
    bounded(attaching, signal, 'attaching to the container'),
    bounded(waiting, signal, 'registering the wait for its exit'),
  ]);
  if (attachment.status === 'fulfilled' && wait.status === 'fulfilled') {
    const exited = wait.value.exited.then((status) => status.StatusCode);
    exited.catch(() => {});
    return { stream: attachment.value, exited };
  }
  // Release whatever did arrive, now or later.
  attaching.then(
    (stream) => stream.destroy(),
    () => {},
  );
  waiting.then(
    (w) => w.exited.catch(() => {}),
    () => {},
  );
  // Both are already explained by the client.
  throw attachment.status === 'rejected' ? attachment.reason : (wait as PromiseRejectedResult).reason;
}
