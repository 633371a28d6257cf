/** The container path of `rel` (relative to a mount's target; '' for the target itself). */
export function containerPath(target: string, rel: string): string {
  return rel ? `${target === '/' ? '' : target}/${rel}` : target;
}

/**
 * Targets of other mounts that lie inside `target` (`/work/ref` in `/work`), relative to it:
 * their contents belong to those mounts, not to this one, as with bind mounts.
 */
export function nestedTargets(target: string, allTargets: readonly string[]): string[] {
  return allTargets
    .filter((t) => t !== target && t.startsWith(target === '/' ? '/' : `${target}/`))
    .map((t) => t.slice(target === '/' ? 1 : target.length + 1));
}

/** Whether a path relative to a mount lies in one of its nested mounts. */
export function inNested(rel: string, nested: readonly string[]): boolean {
  return nested.some((n) => rel === n || rel.startsWith(`${n}/`));
}
