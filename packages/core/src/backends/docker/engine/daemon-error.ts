import type { EngineTarget } from './engine-target.js';
import { EngineUnreachableError, explainConnectionError, isConnectionError } from './engine-unreachable-error.js';

/**
 * Where daemon failures are put into words, for every call tooldock makes. A daemon that cannot
 * be reached at all becomes an {@link EngineUnreachableError} naming the endpoint and the fix.
 * An answer of the daemon (404, 409, a refused start) passes through as dockerode made it, so
 * callers can still read its status; {@link daemonMessage} gives its words.
 */
export class DaemonErrors {
  constructor(private readonly target: Pick<EngineTarget, 'endpoint' | 'socketPath'>) {}

  /** A connection failure as an {@link EngineUnreachableError}; anything else unchanged. */
  explain(error: unknown): unknown {
    return isConnectionError(error) ? explainConnectionError(this.target.endpoint, this.target.socketPath, error) : error;
  }

  /** Runs one daemon request; its failure is explained. */
  async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw this.explain(error);
    }
  }
}

/** The daemon's own words from a dockerode error, without the HTTP prefix noise. */
export function daemonMessage(error: unknown): string {
  const json = (error as { json?: { message?: string } }).json;
  if (json?.message) return json.message;
  return error instanceof Error ? error.message.replace(/^\(HTTP code \d+\) [\w ]+ - /, '').trim() : String(error);
}

/** Any failure of a daemon call in words: an unreachable daemon with its fix, else the daemon's own. */
export function explainDaemonError(error: unknown): string {
  return error instanceof EngineUnreachableError ? error.message : daemonMessage(error);
}

/** The HTTP status the daemon answered with; undefined when it did not answer. */
export function daemonStatus(error: unknown): number | undefined {
  return (error as { statusCode?: number } | null)?.statusCode;
}

/**
 * A `.catch` handler for requests where some answers mean "already done" (404 from a remove: the
 * container is gone); other failures are rethrown.
 */
export function ignoreStatus(...statuses: number[]): (error: unknown) => void {
  return (error) => {
    const status = daemonStatus(error);
    if (status === undefined || !statuses.includes(status)) throw error;
  };
}
