import { userInfo } from 'node:os';
import type { ToolUser } from './caller-user.js';
import type { WantedIdentity } from './account-files.js';

/**
 * The entry a tool running as `user` should find, or undefined when it needs none: the image's
 * own USER (`user: "image"`), and root, which every image with accounts names.
 * HOME is the one the run sets (the run's env wins, as in the container's config).
 */
export function wantedIdentity(user: ToolUser, env: Record<string, string> | undefined): WantedIdentity | undefined {
  if (user.user === undefined) return undefined;
  const [uidText, gidText] = user.user.split(':');
  const uid = Number(uidText);
  if (!Number.isSafeInteger(uid) || uid === 0) return undefined;
  const gid = gidText === undefined ? undefined : Number(gidText);
  return {
    uid,
    gid: gid !== undefined && Number.isSafeInteger(gid) ? gid : undefined,
    groups: user.groups.map(Number).filter(Number.isSafeInteger),
    names: [...callerName(uid), 'tooldock', `tooldock${uid}`],
    home: env?.HOME ?? user.home ?? '/',
  };
}

/**
 * The caller's own login name when the tool runs as the caller (`user: "auto"`), as `whoami`
 * outside would say; none when this process has no name either (a notebook container whose
 * uid its image does not know).
 */
function callerName(uid: number): string[] {
  if (process.getuid?.() !== uid) return [];
  try {
    return [userInfo().username];
  } catch {
    return [];
  }
}
