import type { ResolvedMount } from '../api/run-result.js';

/** A host-path bind, as the runtimes that bind by path take it (Charliecloud, Apptainer, Slurm nodes). */
export interface HostBind {
  source: string;
  target: string;
  readOnly: boolean;
}

/** The host path a mount binds; these runtimes resolve every mount to one (no volumes, no copies). */
export function bindSource(mount: ResolvedMount): string {
  if (mount.source.type !== 'bind') throw new Error(`a ${mount.source.type} mount cannot be bound by path: ${mount.target}`);
  return mount.source.path;
}

/** The mounts as host-path binds. */
export function hostBinds(mounts: readonly ResolvedMount[]): HostBind[] {
  return mounts.map((m) => ({ source: bindSource(m), target: m.target, readOnly: m.readOnly }));
}
