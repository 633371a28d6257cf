import type { Identity, LocalStamp } from './identity.js';

/** One path of a writable mount as the tool container got it (or as the last sync left it). */
export interface SentEntry {
  id: Identity;
  /** The local file's stat when it was known to match `id`; absent when it did not (kept local). */
  stamp?: LocalStamp;
}

/**
 * What each writable mount's tool-side tree was when the tool got it: mount target → path
 * relative to the mount ('' for the mount itself) → entry. Recorded while packing (the bytes are
 * hashed as they are read to be sent, never read twice) and updated by every copy-back, so a
 * warm session's next call is compared against what its container holds since the last call.
 */
export type SentTrees = Map<string, Map<string, SentEntry>>;

export function sentTree(trees: SentTrees, target: string): Map<string, SentEntry> {
  let tree = trees.get(target);
  if (!tree) trees.set(target, (tree = new Map()));
  return tree;
}
