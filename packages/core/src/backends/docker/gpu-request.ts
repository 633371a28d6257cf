import type Docker from 'dockerode';
import { z } from 'zod';

const GPU_FORMS =
  'must be "all", a whole number of GPUs (at least 1), or a non-empty list of device indexes or UUIDs such as ["0", "GPU-3a23c669-1f69-c64e-cf85-44e9b07e7a2a"]';

// What nvidia-smi calls devices: an index, a GPU-/MIG- UUID (MIG ones contain "/"). A comma would
// split an id where the docker CLI splits them; anything else has no meaning to the driver.
const deviceId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:/-]*$/, 'a GPU id must be a device index or UUID such as "0" or "GPU-3a23c669-…" (no commas or spaces)');

/** The `gpus` run option, as `docker run --gpus` takes it. */
export const GpusSchema = z.union(
  [z.literal('all'), z.number().int(GPU_FORMS).min(1, GPU_FORMS).max(1024, GPU_FORMS), z.array(deviceId).min(1, GPU_FORMS).max(1024, GPU_FORMS)],
  { error: GPU_FORMS },
);

export type Gpus = z.output<typeof GpusSchema>;

/**
 * `HostConfig.DeviceRequests` for `gpus`, as the docker CLI builds them for `--gpus` (its
 * opts/gpus.go): no driver named (the daemon picks the one that offers the `gpu` capability,
 * the NVIDIA Container Toolkit's), `Count` -1 for all, the ids otherwise, and no options.
 */
export function deviceRequests(gpus: Gpus | undefined): Docker.DeviceRequest[] | undefined {
  if (gpus === undefined) return undefined;
  const base = { Driver: '', Capabilities: [['gpu']], Options: {} };
  if (gpus === 'all') return [{ ...base, Count: -1 }];
  if (typeof gpus === 'number') return [{ ...base, Count: gpus }];
  return [{ ...base, Count: 0, DeviceIDs: [...gpus] }];
}

/**
 * A start refused because the daemon has no GPU device driver (no NVIDIA Container Toolkit), as
 * an error that says so and what to do; undefined for any other refusal.
 */
export function noGpuSupport(daemonWords: string, cause: unknown): Error | undefined {
  if (!/could not select device driver .* with capabilities: \[\[.*gpu.*\]\]/.test(daemonWords)) return undefined;
  return new Error(
    `the daemon cannot give the tool GPUs (${daemonWords}): install the NVIDIA Container Toolkit on the daemon's host ` +
      'and register its runtime (nvidia-ctk runtime configure), or run without the gpus option; doctor() tells whether it is there',
    { cause },
  );
}
