/** An image reference split as the workflow-run `ContainerImage` describes one. */
export interface ImageParts {
  /** The registry host; `docker.io` when the reference names none. */
  registry: string;
  /** Repository within the registry, e.g. `biocontainers/samtools`. */
  name: string;
  tag?: string;
  /** A digest pinned in the reference (`@sha256:…`), hex only. */
  digest?: string;
}

/**
 * Splits `[registry/]repository[:tag][@sha256:hex]` the way the daemon does: the first
 * component is a registry only when it looks like a host (a "." or ":port", or `localhost`).
 * A bare image id (`sha256:…`) has no registry or repository: it keeps the reference as name.
 */
export function imageParts(reference: string): ImageParts {
  if (/^(sha256:)?[a-f0-9]{12,64}$/.test(reference)) return { registry: 'docker.io', name: reference };
  const [nameAndTag = '', pinned] = reference.split('@');
  const slash = nameAndTag.indexOf('/');
  const first = slash === -1 ? undefined : nameAndTag.slice(0, slash);
  const hasRegistry = first !== undefined && (first === 'localhost' || /[.:]/.test(first));
  const rest = hasRegistry ? nameAndTag.slice(slash + 1) : nameAndTag;
  const colon = rest.lastIndexOf(':');
  const [repository, tag] = colon === -1 ? [rest, undefined] : [rest.slice(0, colon), rest.slice(colon + 1)];
  return {
    registry: hasRegistry ? first! : 'docker.io',
    name: !hasRegistry && !repository.includes('/') ? `library/${repository}` : repository,
    ...(tag ? { tag } : {}),
    ...(pinned?.startsWith('sha256:') ? { digest: pinned.slice('sha256:'.length) } : {}),
  };
}

/** The tool's everyday name: the repository's last component (`samtools`). */
export function toolLabel(parts: ImageParts): string {
  return parts.name.split('/').pop() ?? parts.name;
}
