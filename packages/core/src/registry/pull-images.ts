import pLimit from 'p-limit';
import { z } from 'zod';
import { connectDocker, type DockerEngine } from '../backends/docker/engine/docker-engine.js';
import { ensureImage } from '../backends/docker/ensure-image.js';
import type { EventListener } from '../lifecycle/events.js';
import type { ProgressListener } from '../fan-out/progress.js';
import { ProgressTracker } from '../fan-out/progress-tracker.js';
import { ImageReferenceSchema } from '../api/image-reference.js';
import { parseOrThrow } from '../errors/invalid-input-error.js';
import { RunAborted } from '../lifecycle/bounded.js';
import { ToolError } from '../errors/tool-error.js';
import { RegistryAuthSchema } from './registry-auth.js';
import { looksLikeEngine } from '../backends/engine.js';

// A Slurm cluster has no one daemon to pull onto: its nodes pull when a job starts.
const DaemonSchema = z.custom<DockerEngine>((v) => looksLikeEngine(v) && v.kind === 'docker', {
  message: "must be a DockerEngine from connect() (a Slurm cluster's nodes pull when a job starts)",
});

const PullImagesOptionsSchema = z
  .object({
    /** The daemon to pull onto; defaults to `connect()`. */
    engine: DaemonSchema.optional(),
    /** Progress as for `runMany` (one task per image): `terminalProgress()` and the notebook's `liveProgress()` draw it. */
    onProgress: z.custom<ProgressListener>((v) => typeof v === 'function', { message: 'must be a function' }).optional(),
    /** Cancels every pull still under way. */
    signal: z.instanceof(AbortSignal, { message: 'must be an AbortSignal' }).optional(),
    /** Credentials for every image; default: the docker CLI's config, per registry. */
    auth: RegistryAuthSchema.optional(),
    /** `"missing"` (default): skip images already on the daemon; `"always"`: pull each again (a moved tag). */
    pull: z.literal(['missing', 'always']).default('missing'),
    /** Pulls at once (default 3): the daemon downloads layers in parallel within each pull too. */
    concurrency: z.number().int('must be a whole number').min(1, 'must be at least 1').default(3),
  })
  .strict();

/** Options of {@link pullImages}. */
export type PullImagesOptions = z.input<typeof PullImagesOptionsSchema>;

/** One image made present by {@link pullImages}. */
export interface PulledImage {
  image: string;
  imageId: string;
  /** False when it was already on the daemon (pull `"missing"`). */
  pulled: boolean;
}

/**
 * Pulls every image in `images` before a long fan-out, so no task waits for its image and a
 * missing credential fails now rather than hours in. Each image is pulled once (also when runs
 * pull it at the same time); the first failure cancels the other pulls and rejects with a
 * `ToolError` naming the image (for a registry that refused: which credentials were tried).
 *
 * @example
 * ```ts
 * import { recipeImages } from '@tooldock/recipes';
 * await pullImages(recipeImages(), { onProgress: terminalProgress() });
 * ```
 */
export async function pullImages(images: readonly string[], options: PullImagesOptions = {}): Promise<PulledImage[]> {
  const list = parseOrThrow(z.array(ImageReferenceSchema, { error: 'must be a list of image references' }), images, 'images');
  const parsed = parseOrThrow(PullImagesOptionsSchema, options, 'options');
  const unique = [...new Set(list)];
  const engine = parsed.engine ?? connectDocker();
  const tracker = new ProgressTracker(unique, parsed.onProgress);
  const stop = new AbortController();
  const signal = parsed.signal ? AbortSignal.any([parsed.signal, stop.signal]) : stop.signal;
  const limit = pLimit(parsed.concurrency);
  const outcomes = await Promise.allSettled(
    unique.map((image, index) =>
      limit(async () => {
        try {
          return await pullOne(engine, image, index, tracker, signal, parsed);
        } catch (error) {
          stop.abort(error);
          throw error;
        }
      }),
    ),
  );
  tracker.finish();
  const failure =
    outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected' && !(o.reason as ToolError).canceled) ??
    outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failure) throw failure.reason;
  return outcomes.map((o) => (o as PromiseFulfilledResult<PulledImage>).value);
}

type Parsed = z.output<typeof PullImagesOptionsSchema>;

async function pullOne(
  engine: DockerEngine,
  image: string,
  index: number,
  tracker: ProgressTracker,
  signal: AbortSignal,
  parsed: Parsed,
): Promise<PulledImage> {
  let present = false;
  const emit: EventListener = (event) => {
    if (event.type === 'image:present') present = true;
    if (event.type === 'image:pull' && tracker.tasks[index]!.state === 'queued') tracker.update(index, 'pulling');
    if (event.type === 'image:pull-progress') tracker.pullProgress(index, event);
  };
  try {
    if (signal.aborted) throw new RunAborted('waiting to pull');
    const imageId = await ensureImage(engine, image, parsed.pull, emit, signal, parsed.auth);
    tracker.update(index, 'done');
    return { image, imageId, pulled: !present };
  } catch (error) {
    const canceled = error instanceof RunAborted;
    const message = canceled ? `Pulling ${image} was canceled` : capitalised((error as Error).message);
    tracker.update(index, canceled ? 'canceled' : 'failed', { error: message });
    throw new ToolError(message, { image, args: [], command: '(pull)', canceled, cause: error });
  }
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
