/**
 * Hidden temp names (`.<name>.partial-[<owner>-]<8 hex>`, util/hidden-temp-name.ts) differ on every
 * call by design: recipes pass them to the tool (sometimes with a suffix, as samtools sort's
 * `-T <temp>.tmp`) and rename them into place afterwards. The cache sees them in a canonical
 * form (`.<name>.partial-*`, any suffix kept), so an unchanged recipe call has an unchanged key,
 * and a hit restores its outputs under the names this call chose.
 */
const UNIQUE_PART = /\.partial-(?:[A-Za-z0-9._~-]*?-)?[0-9a-f]{8}(?![0-9a-f])/g;
const PARTIAL_SEGMENT = /^\..+\.partial-/;

/** `s` with every temp name's unique part replaced by `*`. */
export function canonicalPartials(s: string): string {
  return s.replace(UNIQUE_PART, '.partial-*');
}

/** Whether a relative path names a hidden temp file somewhere along it. */
export function isPartialPath(rel: string): boolean {
  return rel.split('/').some((segment) => PARTIAL_SEGMENT.test(segment));
}

/**
 * This call's name for a stored segment: the temp name with its canonical form, or one it
 * extends (`.ref.fa.partial-*.bwt` from `-p …/.ref.fa.partial-1a2b3c4d`), the longest that fits.
 */
function actualSegment(segment: string, names: Map<string, string | null>): string | undefined {
  const canonical = [...names.keys()].filter((c) => segment.startsWith(c)).sort((a, b) => b.length - a.length)[0];
  const actual = canonical === undefined ? undefined : names.get(canonical);
  return actual ? actual + segment.slice(canonical!.length) : undefined;
}

/**
 * Maps a stored (canonical) relative path to this call's names: each segment with a `*` becomes
 * the one name in this call's args with that canonical form. Undefined when this call has no
 * such name, or several (ambiguous): the caller then runs the tool instead.
 */
export function actualPath(canonicalRel: string, args: string[]): string | undefined {
  const names = new Map<string, string | null>();
  for (const arg of args) {
    for (const segment of arg.split(/[/\s:,=]/)) {
      if (!PARTIAL_SEGMENT.test(segment)) continue;
      const canonical = canonicalPartials(segment);
      const known = names.get(canonical);
      names.set(canonical, known === undefined || known === segment ? segment : null);
    }
  }
  const segments = canonicalRel.split('/').map((segment) => (segment.includes('.partial-*') ? actualSegment(segment, names) : segment));
  return segments.every((s): s is string => typeof s === 'string') ? segments.join('/') : undefined;
}
