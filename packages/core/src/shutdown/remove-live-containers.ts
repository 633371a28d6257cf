import { liveContainers, removeContainer } from '../backends/docker/live-containers.js';

/**
 * Force-removes every container this process still has, within `timeoutMs`. Returns how many.
 *
 * @example
 * ```ts
 * process.on('beforeExit', () => void removeLiveContainers());
 * ```
 */
export async function removeLiveContainers(timeoutMs = 10_000): Promise<number> {
  const entries = [...liveContainers.entries()];
  if (entries.length === 0) return 0;
  let timer: NodeJS.Timeout | undefined;
  const removals = Promise.allSettled(entries.map(([id, engine]) => removeContainer(engine, id)));
  await Promise.race([removals, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
  return entries.length;
}
