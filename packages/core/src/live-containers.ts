import type { DockerEngine } from './engine/docker-engine.js';

/** Containers this process created and has not removed yet: what a shutdown must clean up. */
export const liveContainers = new Map<string, DockerEngine>();

/** Force-removes a container (and its anonymous volumes); a container already gone is fine. */
export async function removeContainer(engine: DockerEngine, id: string): Promise<void> {
  try {
    await engine.docker.getContainer(id).remove({ force: true, v: true });
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    // 404: already gone; 409: removal already in progress.
    if (status !== 404 && status !== 409) throw error;
  }
  liveContainers.delete(id);
}
