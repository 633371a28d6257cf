import { Readable } from 'node:stream';
import type { ToolUser } from './caller-user.js';
import { daemonMessage } from '../engine/daemon-error.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import { bounded, RunAborted } from '../../../lifecycle/bounded.js';
import { accountChanges, type WantedIdentity } from './account-files.js';
import { accountArchive, readAccountFile } from './account-archive.js';
import { wantedIdentity } from './wanted-identity.js';

/** What a run's container needs to be given a name for its uid. */
export interface IdentityRequest {
  imageId: string;
  user: ToolUser;
  /** The run's env (its HOME wins over the default one). */
  env: Record<string, string> | undefined;
  /** Container paths of the run's mounts: one covering /etc would take our write to its source. */
  mountTargets: readonly string[];
}

/** The identity request of a run, from what the Docker backend decided (docker-backend.ts). */
export function identityRequest(
  request: { options: { env?: Record<string, string> | undefined } },
  decided: { imageId: string; user: ToolUser; plan: { mounts: ReadonlyArray<{ target: string }> } },
): IdentityRequest {
  return { imageId: decided.imageId, user: decided.user, env: request.options.env, mountTargets: decided.plan.mounts.map((m) => m.target) };
}

const ACCOUNT_FILES = ['/etc/passwd', '/etc/group'] as const;

/**
 * Per image and identity: the archive to put (null: nothing to put). The image's files are the
 * same in every container of it, so a run costs one `PUT archive`, and none when nothing is missing.
 */
const prepared = new Map<string, Buffer | null>();
const CACHE_LIMIT = 256;
const warned = new Set<string>();

/**
 * Gives a mapped uid:gid a passwd and group entry in a created (not started) container, so tools
 * that look up their user (`whoami`, `id -un`, Python's `getpass`, Java's `user.name`, ssh)
 * work, without changing the image: the image's `/etc/passwd` and `/etc/group` are read from the
 * container and put back with the missing lines appended — the same archive API in every
 * transfer mode and on Podman. An image that already names the uid is left alone, and an odd one
 * (account files that are links, huge, unreadable) only costs a warning: the tool then runs as
 * it would have without. Only the run's end (cancel, timeout) fails it. Bounded by `signal`.
 */
export async function provideIdentity(engine: DockerEngine, containerId: string, request: IdentityRequest, signal: AbortSignal): Promise<void> {
  const wanted = wantedIdentity(request.user, request.env);
  if (!wanted) return;
  const covering = request.mountTargets.find((target) => ACCOUNT_FILES.some((file) => covers(target, file)));
  if (covering)
    return warnOnce(
      `a mount at ${covering} covers the image's account files; uid ${wanted.uid} gets no entry (its files are yours, not the image's)`,
    );
  try {
    const key = JSON.stringify([request.imageId, wanted]);
    let archive = prepared.get(key);
    if (archive === undefined) {
      archive = await prepare(engine, containerId, request.imageId, wanted, signal);
      remember(key, archive);
    }
    if (archive)
      await bounded(engine.containers.putArchive(containerId, Readable.from([archive]), '/'), signal, 'adding the tool user to /etc/passwd');
  } catch (error) {
    if (error instanceof RunAborted) throw error;
    warnOnce(
      `could not give uid ${wanted.uid} an entry in ${request.imageId.slice(0, 19)}'s /etc/passwd (tools that look up their user name may fail): ${daemonMessage(error)}`,
    );
  }
}

/** The archive that adds what the image lacks, or null when it lacks nothing (or must be left alone). */
async function prepare(
  engine: DockerEngine,
  containerId: string,
  imageId: string,
  wanted: WantedIdentity,
  signal: AbortSignal,
): Promise<Buffer | null> {
  const [passwd, group] = await Promise.all(ACCOUNT_FILES.map((path) => readAccountFile(engine, containerId, path, signal)));
  for (const file of [passwd!, group!]) {
    if (file.kind === 'unusable') {
      warnOnce(`${file.why} in image ${imageId.slice(0, 19)}: uid ${wanted.uid} gets no entry there (tools that look up their user name may fail)`);
      return null;
    }
  }
  const text = (file: typeof passwd) => (file!.kind === 'file' ? file!.text : '');
  const changes = accountChanges({ passwd: text(passwd), group: text(group) }, wanted);
  const files: Record<string, string> = {};
  if (changes.passwd !== undefined) files['etc/passwd'] = changes.passwd;
  if (changes.group !== undefined) files['etc/group'] = changes.group;
  return Object.keys(files).length ? accountArchive(files) : null;
}

/** Whether a mount at `target` holds `path` (a `/` boundary: `/etc2` does not hold `/etc/passwd`). */
function covers(target: string, path: string): boolean {
  const dir = target.endsWith('/') ? target : `${target}/`;
  return target === path || path.startsWith(dir);
}

function remember(key: string, archive: Buffer | null): void {
  if (prepared.size >= CACHE_LIMIT) prepared.delete(prepared.keys().next().value!);
  prepared.set(key, archive);
}

function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  process.emitWarning(`tooldock: ${message}`);
}
