import { hashFile } from '../../../util/hash-file.js';
import { identityOfStats, stampHolds, type Identity } from './identity.js';
import { sentKey, type Unpack } from './stage-member.js';
import { syncAction, toolChanged, type SyncAction } from './sync-decision.js';

/** One path's decision, with what it rests on (for the baseline the next call compares against). */
export interface PathSync {
  rel: string;
  sent: Identity | undefined;
  returned: Identity | undefined;
  /** What was here, where it was looked at (only where the tool changed something). */
  local?: Identity;
  action: SyncAction;
}

/**
 * Decides every path of the mount: each member of the archive and each path that was sent (a
 * sent path missing from the archive was deleted by the tool). The local side is looked at only
 * where the tool changed something; hashes are computed only where sizes leave it open.
 * Paths are in archive order (parents first), then the deleted ones.
 */
export async function planSync(u: Unpack): Promise<PathSync[]> {
  const plans: PathSync[] = [];
  const returnedPaths = new Set<string>();
  for (const rel of u.staging.paths()) {
    if (u.file !== undefined && rel === '') continue; // a single file's directory is not the mount's
    returnedPaths.add(sentKey(rel, u));
    const member = u.staging.member(rel)!;
    if (!member.id) continue; // a device or FIFO: nothing comes back, the local one stays
    plans.push(await decide(u, rel, member.id));
  }
  if (u.file === undefined) {
    for (const rel of u.sent.keys()) if (!returnedPaths.has(rel)) plans.push(await decide(u, rel, undefined));
  }
  return plans;
}

async function decide(u: Unpack, rel: string, returned: Identity | undefined): Promise<PathSync> {
  const sentEntry = u.sent.get(sentKey(rel, u));
  const sent = sentEntry?.id;
  if (sent && returned && toolChanged(sent, returned) === undefined) {
    // Same size, a hash missing (a file a session's last call brought back): ask the bytes.
    await fillHash(returned, () => stagedPath(u, rel));
    if (sent.sha256 === undefined) await sentHashFromLocal(u, rel);
  }
  if (toolChanged(sent, returned) === false) return { rel, sent, returned, action: { do: 'none' } };
  const local = await localIdentity(u, rel, sent, returned);
  return { rel, sent, returned, local, action: syncAction(sent, returned, local) };
}

/**
 * What is at `rel` here now, through verified directories only. A file still showing the stat it
 * had when sent (and not racy) is what was sent; otherwise it is hashed when its size matches
 * what it is compared with.
 */
async function localIdentity(u: Unpack, rel: string, sent: Identity | undefined, returned: Identity | undefined): Promise<Identity | undefined> {
  const local = u.file === undefined ? rel : u.file;
  const stats = await u.here.probe(local);
  if (!stats) return undefined;
  const id = identityOfStats(stats, stats.isSymbolicLink() ? await u.here.readLink(local) : undefined);
  if (id?.kind !== 'file') return id ?? { kind: 'file', size: -1 }; // a FIFO or device here: like nothing sent
  const stamp = u.sent.get(sentKey(rel, u))?.stamp;
  if (sent?.kind === 'file' && stamp && stampHolds(stamp, stats)) return { ...id, sha256: sent.sha256 };
  if (id.size === sent?.size || id.size === returned?.size) {
    id.sha256 = await hashFile(u.here.path(local)).catch(() => undefined);
    if (returned?.kind === 'file' && returned.size === id.size) await fillHash(returned, () => stagedPath(u, rel));
  }
  return id;
}

/** The sent hash of a file whose local stat still shows it unchanged (read here once). */
async function sentHashFromLocal(u: Unpack, rel: string): Promise<void> {
  const entry = u.sent.get(sentKey(rel, u));
  const local = u.file === undefined ? rel : u.file;
  const stats = await u.here.probe(local);
  if (entry?.id.kind === 'file' && entry.stamp && stats?.isFile() && stampHolds(entry.stamp, stats)) {
    entry.id.sha256 = await hashFile(u.here.path(local)).catch(() => undefined);
  }
}

async function fillHash(id: Identity, path: () => string | undefined): Promise<void> {
  const at = path();
  if (id.kind === 'file' && id.sha256 === undefined && at) id.sha256 = await hashFile(at);
}

function stagedPath(u: Unpack, rel: string): string | undefined {
  return u.staging.member(rel)?.staged;
}
