import type { DockerEngine } from './engine/docker-engine.js';

/** What `doctor()` says about GPUs: whether the daemon registered the NVIDIA runtime. */
export interface GpuSupport {
  /** The daemon lists an `nvidia` runtime (the NVIDIA Container Toolkit is installed and registered). */
  nvidiaRuntime: boolean;
  /** Every runtime the daemon lists (`runc`, `nvidia`, …). */
  runtimes: string[];
}

/** Reads the daemon's runtimes from `docker info` (Podman lists its OCI runtimes there too). */
export async function gpuSupport(engine: DockerEngine): Promise<GpuSupport> {
  const listed = (await engine.info()).Runtimes;
  const runtimes = listed !== null && typeof listed === 'object' ? Object.keys(listed).sort() : [];
  return { nvidiaRuntime: runtimes.some((name) => /nvidia/i.test(name)), runtimes };
}

/** One line of the doctor's text. */
export function describeGpuSupport(gpus: GpuSupport): string {
  return gpus.nvidiaRuntime
    ? `NVIDIA runtime registered (runtimes: ${gpus.runtimes.join(', ')}): the gpus option can work`
    : `no NVIDIA runtime (runtimes: ${gpus.runtimes.join(', ') || 'none listed'}): runs with the gpus option will fail to start; see docs/gpus.md`;
}
