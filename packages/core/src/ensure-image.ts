import type { DockerEngine } from './engine/docker-engine.js';
import type { EventListener } from './events.js';
import { bounded } from './lifecycle/bounded.js';

export type PullPolicy = 'missing' | 'always' | 'never';

interface PullEvent {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
}

/**
 * Makes sure `image` is on the daemon and returns its id. Inspects first (cheap, and works
 * offline); pulls only when the policy says so. An `error` in the pull stream is a failure,
 * even though the HTTP status was 200. `signal` (the run's cancel/timeout) ends a pull mid-way:
 * the request is aborted, which makes the daemon stop pulling too.
 */
export async function ensureImage(engine: DockerEngine, image: string, policy: PullPolicy, emit: EventListener, signal: AbortSignal = new AbortController().signal): Promise<string> {
  if (policy !== 'always') {
    const id = await bounded(inspectId(engine, image), signal, `looking for image ${image}`);
    if (id) {
      emit({ type: 'image:present', image, imageId: id });
      return id;
    }
    if (policy === 'never') {
      throw new Error(`image ${image} is not on the daemon (${engine.endpoint}) and pull is "never"; ` +
        `load or build it first, or use pull: "missing"`);
    }
  }
  await bounded(pull(engine, image, emit, signal), signal, `pulling ${image}`);
  const id = await bounded(inspectId(engine, image), signal, `looking for image ${image}`);
  if (!id) throw new Error(`image ${image} was pulled but the daemon does not show it`);
  emit({ type: 'image:pulled', image, imageId: id });
  return id;
}

async function inspectId(engine: DockerEngine, image: string): Promise<string | undefined> {
  try {
    const info = await engine.call(() => engine.docker.getImage(image).inspect());
    return info.Id;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

async function pull(engine: DockerEngine, image: string, emit: EventListener, signal: AbortSignal): Promise<void> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = await engine.call(() => engine.docker.pull(image, { abortSignal: signal }) as Promise<NodeJS.ReadableStream>);
  } catch (error) {
    throw new Error(`could not pull ${image}: ${daemonMessage(error)}`, { cause: error });
  }
  await new Promise<void>((resolve, reject) => {
    let failure: string | undefined;
    engine.docker.modem.followProgress(
      stream,
      (error: Error | null) => {
        if (error) reject(new Error(`could not pull ${image}: ${error.message}`, { cause: error }));
        else if (failure) reject(new Error(`could not pull ${image}: ${failure}`));
        else resolve();
      },
      (event: PullEvent) => {
        if (event.error || event.errorDetail) failure ??= event.errorDetail?.message ?? event.error;
        else if (event.status) {
          emit({
            type: 'image:pull', image, status: event.status,
            ...(event.id ? { id: event.id } : {}),
            ...(event.progressDetail?.total ? { current: event.progressDetail.current ?? 0, total: event.progressDetail.total } : {}),
          });
        }
      },
    );
  });
}

/** The daemon's own words from a dockerode error, without the HTTP prefix noise. */
export function daemonMessage(error: unknown): string {
  const json = (error as { json?: { message?: string } }).json;
  if (json?.message) return json.message;
  return error instanceof Error ? error.message.replace(/^\(HTTP code \d+\) [\w ]+ - /, '').trim() : String(error);
}
