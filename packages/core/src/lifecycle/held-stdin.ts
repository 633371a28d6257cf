import { PassThrough, Readable } from 'node:stream';

const holders = new WeakMap<Readable, PassThrough>();

/**
 * A Readable given as stdin (typically another run's `stdout`) is piped into a holder from the
 * moment the run starts, not from when its container is attached: the producer may start first,
 * and its output already flows into its own sinks, so bytes written before we attached would be
 * lost (a `bwa mem | samtools sort` missing its SAM header). The holder buffers a little, then
 * pushes back on the producer until the tool reads.
 */
export function holdStdin(source: unknown): void {
  if (!(source instanceof Readable) || holders.has(source)) return;
  const holder = new PassThrough();
  // Until the feed listens, a failing source is remembered (holder.errored), not thrown.
  holder.on('error', () => {});
  source.on('error', (error) => holder.destroy(error));
  if (source.errored) holder.destroy(source.errored);
  else source.pipe(holder);
  holders.set(source, holder);
}

/** What the tool should read: the holder of a held source, else the source itself. */
export function heldInput(source: Readable): Readable {
  return holders.get(source) ?? source;
}

/**
 * Lets go of a held source once the run no longer reads it (it ended, or never fed it: a cache
 * hit, a failure before start), so the producer's other consumers are not held back by us.
 */
export function releaseStdin(source: unknown): void {
  if (!(source instanceof Readable)) return;
  const holder = holders.get(source);
  if (!holder) return;
  holders.delete(source);
  source.unpipe(holder);
  holder.destroy();
}
