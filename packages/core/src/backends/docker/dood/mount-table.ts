/** One of our own container's mounts, from inspecting it (`Mounts[]`). */
export interface OwnMount {
  type: 'bind' | 'volume' | 'tmpfs' | 'npipe' | string;
  /** Host path (bind) or the volume's data dir on the host; may be empty (tmpfs). */
  source: string;
  /** Where it is mounted in our container. */
  destination: string;
  /** Volume name, for named volumes. */
  name?: string;
  rw: boolean;
}

/** Our container's mounts, as the daemon reported them. */
export function mountTableFrom(inspect: { Mounts?: Array<Record<string, unknown>> }): OwnMount[] {
  return (inspect.Mounts ?? []).map((m) => ({
    type: String(m.Type ?? 'bind'),
    source: String(m.Source ?? ''),
    destination: normalize(String(m.Destination ?? '')),
    ...(m.Name ? { name: String(m.Name) } : {}),
    rw: m.RW !== false,
  }));
}

/** Removes trailing slashes (but keeps `/`). */
export function normalize(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

/** True when `path` is `dir` or below it, on a `/` boundary (`/data` does not cover `/data2`). */
export function isWithin(path: string, dir: string): boolean {
  if (dir === '/') return true;
  return path === dir || path.startsWith(`${dir}/`);
}
