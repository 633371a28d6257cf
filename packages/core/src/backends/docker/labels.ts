/**
 * Every label key tooldock puts on containers, in one table: the reapers, the sweeps and
 * `docker ps --filter label=…` all rely on these names, so they are spelled only here.
 */
export const LABEL = {
  /** The session (one per process) that created a tool container. */
  session: 'tooldock.session',
  /** That process's pid, judged alive or dead by a sweep on the same host. */
  pid: 'tooldock.pid',
  /** That process's hostname; in a container, the id prefix a sibling reaper sweeps by. */
  host: 'tooldock.host',
  /** The tool's command, for people reading `docker ps`. */
  tool: 'tooldock.tool',
  /** On a sibling reaper container: the id of the notebook container it watches. */
  reaperFor: 'tooldock.reaper-for',
} as const;

/** Callers' labels may not start with this: a sweep would take their containers for ours. */
export const RESERVED_LABEL_PREFIX = 'tooldock.';

/** A label filter: containers carrying `key`, or with `value`, carrying `key=value`. */
export function labelFilter(key: string, value?: string): string {
  return value === undefined ? key : `${key}=${value}`;
}
