/** Who the tool runs as, in Docker's terms. */
export interface ToolUser {
  /** `uid:gid` for the container's `User`, or undefined to keep the image's USER. */
  user: string | undefined;
  /** Supplementary groups (`HostConfig.GroupAdd`). */
  groups: string[];
  /** A writable HOME: a uid the image does not know gets `HOME=/`, and root's may not exist. */
  home: string | undefined;
}

/** Maps the `user` option to the container's identity. Default: the caller's uid:gid and groups. */
export function toolUser(option: string): ToolUser {
  if (option === 'image') return { user: undefined, groups: [], home: undefined };
  if (option !== 'auto') return { user: option, groups: [], home: '/tmp' };
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  const groups = (process.getgroups?.() ?? []).filter((g) => g !== gid).map(String);
  return { user: `${uid}:${gid}`, groups, home: '/tmp' };
}
