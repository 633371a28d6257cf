import type { DockerEngine } from './engine/docker-engine.js';

/** Containers this process created and has not removed yet: what a shutdown must clean up. */
export const liveContainers = new Map<string, DockerEngine>();

/** Containers whose removal failed because the daemon was unreachable: retried on the next run. */
const removalsOwed = new Map<string, DockerEngine>();

/** Force-removes a container (and its anonymous volumes); a container already gone is fine. */
export async function removeContainer(engine: DockerEngine, id: string): Promise<void> {
  try {
    await engine.containers.remove(id);
  } catch (error) {
    removalsOwed.set(id, engine);
    throw error;
  }
  liveContainers.delete(id);
  removalsOwed.delete(id);
}

/** Retries removals that failed while `engine`'s daemon was away (it answers again now). */
export function settleOwedRemovals(engine: DockerEngine): void {
  for (const [id, owner] of removalsOwed) {
    if (owner === engine) removeContainer(engine, id).catch(() => {});
  }
}
