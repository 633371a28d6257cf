/**
 * The image's `/etc/passwd` and `/etc/group`, read as the C library reads them, and the lines a
 * mapped uid:gid lacks. Pure: the image's files are untrusted text, so nothing here does more
 * than split lines on `:` — a malformed line is skipped, never an error.
 */

/** What the tool's identity needs: the ids it runs as, and how its entry should read. */
export interface WantedIdentity {
  uid: number;
  /** The primary gid; undefined when the run gives a uid only (the daemon then takes it from the entry). */
  gid: number | undefined;
  /** Supplementary groups (`GroupAdd`), numeric. */
  groups: number[];
  /** Name candidates, best first; unsafe or taken ones are passed over. */
  names: string[];
  home: string;
}

/** New contents for the files that need a line; an absent key means "leave that file alone". */
export interface AccountChanges {
  passwd?: string;
  group?: string;
  /** The name given to the uid, when it got one. */
  name?: string;
}

interface AccountLine {
  name: string;
  id: string;
  /** Group members (4th field of /etc/group); empty for passwd lines. */
  members: string[];
}

/** Names the C library, shadow-utils and sshd all accept: no `:`, `,`, newline, or leading `-`. */
const SAFE_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

/** Whether `name` can safely go into an account line (and mean the same to every reader). */
export function isSafeAccountName(name: string): boolean {
  return SAFE_NAME.test(name);
}

function accountLines(text: string, withMembers: boolean): AccountLine[] {
  const lines: AccountLine[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    // NIS compat lines (`+`, `-`) and comments name no local account.
    if (fields.length < 3 || !fields[0] || /^[+#-]/.test(fields[0])) continue;
    const members = withMembers
      ? (fields[3] ?? '')
          .split(',')
          .map((m) => m.trim())
          .filter(Boolean)
      : [];
    lines.push({ name: fields[0], id: fields[2]!.trim(), members });
  }
  return lines;
}

/**
 * The lines to append so that `uid` (and its groups) have names, or an empty object when the
 * image already names them all. A name is only used if no account and no group membership in
 * the image uses it already: the daemon adds a user to every group that lists its name.
 */
export function accountChanges(files: { passwd: string; group: string }, wanted: WantedIdentity): AccountChanges {
  const users = accountLines(files.passwd, false);
  const groups = accountLines(files.group, true);
  const takenUserNames = new Set([...users.map((u) => u.name), ...groups.flatMap((g) => [g.name, ...g.members])]);
  const changes: AccountChanges = {};
  if (!users.some((u) => u.id === String(wanted.uid))) {
    const userName = wanted.names.find((n) => isSafeAccountName(n) && !takenUserNames.has(n));
    if (userName === undefined) return changes; // every candidate is taken: better no entry than a shared name
    changes.passwd = appendLine(files.passwd, `${userName}:x:${wanted.uid}:${wanted.gid ?? 0}:tooldock tool user:${safeHome(wanted.home)}:/bin/sh`);
    changes.name = userName;
  }
  const group = missingGroups(files.group, groups, wanted, changes.name);
  if (group !== files.group) changes.group = group;
  return changes;
}

/** `files.group` with a line for each of the run's gids the image does not name. */
function missingGroups(text: string, groups: AccountLine[], wanted: WantedIdentity, newUser: string | undefined): string {
  const ids = new Set(groups.map((g) => g.id));
  const names = new Set(groups.map((g) => g.name));
  const gids = new Set([...(wanted.gid === undefined ? [] : [wanted.gid]), ...wanted.groups]);
  for (const gid of gids) {
    if (ids.has(String(gid))) continue;
    // The primary group of a user we add is named like it (the user-private-group convention).
    const name = [gid === wanted.gid ? newUser : undefined, `tooldock${gid}`].find((n) => n !== undefined && isSafeAccountName(n) && !names.has(n));
    if (name === undefined) continue;
    names.add(name);
    text = appendLine(text, `${name}:x:${gid}:`);
  }
  return text;
}

/** HOME comes from the run's env: a `:` or newline in it would corrupt the line. */
function safeHome(home: string): string {
  return home.startsWith('/') && !/[:\n\0]/.test(home) ? home : '/';
}

function appendLine(text: string, line: string): string {
  return text === '' || text.endsWith('\n') ? `${text}${line}\n` : `${text}\n${line}\n`;
}
