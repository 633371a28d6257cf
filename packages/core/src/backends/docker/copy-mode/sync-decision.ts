import { sameContent, sameMode, type Identity } from './identity.js';

/**
 * What a copy-back does with one path, bind mode being the reference:
 * - `none`: nothing to do (the tool left it as sent, or it is here already as the tool left it);
 * - `place`: put the tool's version in place (new, changed content, another type);
 * - `chmod`: only the permission bits changed;
 * - `delete`: the tool deleted it;
 * - `keep-local`: the tool changed it, but so did someone here since it was sent: the local one
 *   is kept, and the run says so.
 */
export type SyncAction =
  | { do: 'none' }
  | { do: 'place' }
  | { do: 'chmod'; mode: number }
  | { do: 'delete' }
  | { do: 'keep-local'; why: 'changed-here' | 'deleted-here' | 'appeared-here' };

/** Whether the tool changed the path at all (the cheap first question: no local look needed). */
export function toolChanged(sent: Identity | undefined, returned: Identity | undefined): boolean | undefined {
  if (!sent || !returned) return sent !== returned;
  const content = sameContent(sent, returned);
  return content === undefined ? undefined : !content || !sameMode(sent, returned);
}

/**
 * The action for one path from what was sent, what came back (undefined: the tool deleted it, or
 * it never existed) and what is here now (undefined: absent). Identities must carry file hashes
 * where sizes match; an unknown comparison counts as "different", which keeps the local file.
 */
export function syncAction(sent: Identity | undefined, returned: Identity | undefined, local: Identity | undefined): SyncAction {
  if (toolChanged(sent, returned) === false) return { do: 'none' };
  if (same(local, returned)) return { do: 'none' };
  if (!same(local, sent)) return { do: 'keep-local', why: !sent ? 'appeared-here' : !local ? 'deleted-here' : 'changed-here' };
  if (!returned) return { do: 'delete' };
  if (sent && sameContent(sent, returned) === true && returned.mode !== undefined) return { do: 'chmod', mode: returned.mode };
  return { do: 'place' };
}

/** Both absent, or the same kind, content and mode. */
function same(a: Identity | undefined, b: Identity | undefined): boolean {
  if (!a || !b) return a === b;
  return sameContent(a, b) === true && sameMode(a, b);
}
