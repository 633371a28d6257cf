import type { DockerEngine } from '../engine/docker-engine.js';

/**
 * One task per CPU of the DAEMON's machine: that is where the tools run (a notebook container
 * limited to 2 CPUs may drive a 64-core host, and vice versa).
 */
export async function defaultConcurrency(engine: DockerEngine): Promise<number> {
  const info = await engine.info();
  const cpus = Number(info.NCPU);
  return Number.isInteger(cpus) && cpus > 0 ? cpus : 1;
}
