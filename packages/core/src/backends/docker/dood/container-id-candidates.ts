/** What we can read about ourselves to guess our container id. */
export interface SelfClues {
  /** `TOOLDOCK_SELF_CONTAINER` or an explicit option. */
  override?: string;
  /** `/proc/self/cgroup`. */
  cgroup?: string;
  /** `/proc/self/mountinfo`. */
  mountinfo?: string;
  hostname?: string;
}

const HEX64 = /[0-9a-f]{64}/;

/**
 * Container id candidates, most trustworthy first: the override; the cgroup v1 path
 * (`/docker/<id>`, `docker-<id>.scope`, `cri-containerd-<id>`, `crio-<id>`, `libpod-<id>`);
 * mountinfo's `/containers/<id>/hostname` (Docker, also under cgroup v2) or Podman's
 * `/overlay-containers/<id>/userdata/hostname`; the hostname (Docker's default is the short id).
 * Each must still be verified against the daemon.
 */
export function containerIdCandidates(clues: SelfClues): string[] {
  const found: string[] = [];
  const add = (id: string | undefined) => {
    if (id && !found.includes(id)) found.push(id);
  };
  add(clues.override?.trim() || undefined);
  for (const line of (clues.cgroup ?? '').split('\n')) {
    const path = line.split(':').slice(2).join(':');
    const segment = path
      .split('/')
      .reverse()
      .find((s) => HEX64.test(s));
    add(segment?.match(HEX64)?.[0]);
  }
  for (const line of (clues.mountinfo ?? '').split('\n')) {
    add(/\/containers\/([0-9a-f]{64})\/hostname/.exec(line)?.[1]);
    add(/\/overlay-containers\/([0-9a-f]{64})\/userdata\/hostname/.exec(line)?.[1]);
  }
  if (clues.hostname && /^[0-9a-f]{12,64}$/.test(clues.hostname)) add(clues.hostname);
  return found;
}
