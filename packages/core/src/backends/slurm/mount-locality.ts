import { realpathSync, statfsSync } from 'node:fs';

/** Filesystem magic numbers (statfs f_type) the nodes of a cluster typically share. */
const SHARED: Record<number, string> = {
  0x6969: 'nfs',
  0x0bd00bd0: 'lustre',
  0x47504653: 'gpfs',
  0xff534d42: 'cifs',
  0xfe534d42: 'smb2',
  0x19830326: 'beegfs',
  0x00c36400: 'ceph',
  0x65735546: 'fuse',
  0x013111a8: 'ibrix',
  0xaad7aaea: 'panfs',
};
/** Filesystems each machine has for itself. */
const LOCAL: Record<number, string> = {
  0x01021994: 'tmpfs',
  0xef53: 'ext4',
  0x58465342: 'xfs',
  0x9123683e: 'btrfs',
  0x794c7630: 'overlay',
  0x2fc12fc1: 'zfs',
};
/** Paths every node has its own copy of, whatever filesystem backs them. */
const NODE_LOCAL_PREFIXES = ['/tmp', '/var/tmp', '/dev/shm', '/run', '/scratch/local', '/local'];

/** Where a mount lives, as far as the submitting host can tell. */
export interface MountLocality {
  path: string;
  /** Filesystem type by name (`nfs`, `lustre`, `ext4`, `tmpfs`, …) or its magic number in hex. */
  filesystem: string;
  /** `shared`: a network/cluster filesystem; `node-local`: each node has its own; `local-disk`: this machine's disk. */
  verdict: 'shared' | 'node-local' | 'local-disk' | 'missing';
}

/** Judges whether the nodes can see `path` as we do (statfs plus well-known node-local paths). */
export function mountLocality(path: string): MountLocality {
  let real: string;
  let type: number;
  try {
    real = realpathSync(path);
    type = Number(statfsSync(real).type);
  } catch {
    return { path, filesystem: 'unknown', verdict: 'missing' };
  }
  const filesystem = SHARED[type] ?? LOCAL[type] ?? `0x${type.toString(16)}`;
  const underLocalPrefix = NODE_LOCAL_PREFIXES.some((p) => real === p || real.startsWith(`${p}/`));
  if (filesystem === 'tmpfs' || underLocalPrefix) return { path, filesystem, verdict: 'node-local' };
  return { path, filesystem, verdict: SHARED[type] ? 'shared' : 'local-disk' };
}
