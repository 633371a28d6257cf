import { z } from 'zod';

/**
 * Image references as the daemon parses them, so a reference that can never be valid fails
 * before any daemon call. The grammar is distribution/reference's (reference.go, regexp.go):
 *
 *   reference        := name [ ":" tag ] [ "@" digest ]
 *   name             := [domain "/"] path-component ["/" path-component]*
 *   domain           := host [":" port-number]
 *   host             := domain-name | "[" IPv6address "]"
 *   domain-name      := domain-component ["." domain-component]*
 *   domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
 *   port-number      := /[0-9]+/
 *   path-component   := alpha-numeric [separator alpha-numeric]*
 *   alpha-numeric    := /[a-z0-9]+/
 *   separator        := /[_.]|__|[-]+/
 *   tag              := /[\w][\w.-]{0,127}/
 *   digest           := algorithm ":" hex   (go-digest: sha256 → 64, sha384 → 96, sha512 → 128 lowercase hex)
 *
 * plus what `docker run` also takes (ParseAnyReference): an image id, `sha256:<64 hex>`, or a
 * bare hex id prefix.
 */

const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|-+)';
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const host = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[[a-fA-F0-9:]+\\])`;
const domain = `${host}(?::[0-9]+)?`;
const tag = '[\\w][\\w.-]{0,127}';

const PATH = new RegExp(`^${pathComponent}(?:/${pathComponent})*$`);
const DOMAIN = new RegExp(`^${domain}$`);
const TAG = new RegExp(`^${tag}$`);
const DIGEST = /^(sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})$/;
const IMAGE_ID = /^(sha256:)?[a-f0-9]{12,64}$/;
/** distribution/reference's RepositoryNameTotalLengthMax. */
const MAX_PATH_LENGTH = 255;

/**
 * Why `reference` can never name an image, or undefined when the daemon could accept it.
 *
 * @example
 * ```ts
 * imageReferenceProblem('quay.io/biocontainers/samtools:1.22.1--h96c455f_0'); // undefined
 * imageReferenceProblem('Samtools:latest'); // 'has uppercase letters in the repository name "Samtools" …'
 * ```
 */
export function imageReferenceProblem(reference: string): string | undefined {
  if (reference === '') return 'is empty';
  if (/\s/.test(reference)) return 'contains whitespace (put the command in args)';
  if (IMAGE_ID.test(reference)) return undefined;
  const [nameAndTag, digest, extra] = reference.split('@');
  if (extra !== undefined) return 'has more than one "@"';
  if (digest !== undefined && !DIGEST.test(digest)) return `has a malformed digest "${digest}" (expected sha256: and 64 lowercase hex digits)`;
  const { domain, path, tag } = splitName(nameAndTag!);
  if (tag !== undefined && !TAG.test(tag)) {
    return tag === ''
      ? 'ends with ":" but has no tag'
      : `has an invalid tag "${tag}" (letters, digits, "_", "." and "-", at most 128, not starting with "." or "-")`;
  }
  if (domain !== undefined && !DOMAIN.test(domain)) return `has an invalid registry "${domain}"`;
  if (path === '') return 'has no repository name';
  if (path.length > MAX_PATH_LENGTH) return `has a repository name longer than ${MAX_PATH_LENGTH} characters`;
  if (!PATH.test(path)) {
    return PATH.test(path.toLowerCase())
      ? `has uppercase letters in the repository name "${path}" (repository names are lowercase)`
      : `has an invalid repository name "${path}" (lowercase letters and digits, separated by ".", "_", "__" or "-", components joined by "/")`;
  }
  return undefined;
}

/**
 * Splits `[domain/]path[:tag]`. The first component is a registry only when it looks like a host
 * (has a "." or ":port", or is `localhost`), as the daemon decides (docker/distribution's
 * splitDockerDomain); so `UPPER/x` is an uppercase repository name, not a registry called UPPER.
 */
function splitName(name: string): { domain?: string; path: string; tag?: string } {
  const slash = name.indexOf('/');
  const first = slash === -1 ? undefined : name.slice(0, slash);
  const isDomain = first !== undefined && (first === 'localhost' || /[.:]/.test(first));
  const rest = isDomain ? name.slice(slash + 1) : name;
  // The tag's ":" comes after the last "/" (a registry port's ":" is in the domain).
  const colon = rest.lastIndexOf(':');
  const hasTag = colon > rest.lastIndexOf('/');
  return {
    ...(isDomain ? { domain: first } : {}),
    path: hasTag ? rest.slice(0, colon) : rest,
    ...(hasTag ? { tag: rest.slice(colon + 1) } : {}),
  };
}

const EXAMPLE = '"quay.io/biocontainers/samtools:1.22.1--h96c455f_0"';
const NON_EMPTY = `must be a non-empty image reference such as ${EXAMPLE}`;

/**
 * An image reference as a zod schema, with {@link imageReferenceProblem}'s reason and the valid
 * forms in the message: what `runTool` checks its `image` with, for wrappers that take images
 * in their own options (parse it with `parseOrThrow` to name their own field).
 *
 * @example
 * ```ts
 * const options = parseOrThrow(z.object({ image: ImageReferenceSchema.optional() }).strict(), input, 'myTool');
 * // input { image: 'Samtools' } → InvalidInputError('myTool.image', 'Samtools', 'has uppercase letters …')
 * ```
 */
export const ImageReferenceSchema = z.string({ error: NON_EMPTY }).superRefine((reference, ctx) => {
  if (reference.trim() === '') {
    ctx.addIssue({ code: 'custom', message: NON_EMPTY });
    return;
  }
  const problem = imageReferenceProblem(reference);
  if (problem) {
    ctx.addIssue({
      code: 'custom',
      message: `${problem}; expected an image reference such as ${EXAMPLE} ([registry/]name[:tag][@sha256:digest], the name in lowercase) or an image id`,
    });
  }
});

const PINNED_BY_DIGEST = /@(sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})$/;
const FULL_IMAGE_ID = /^(?:sha256:)?([a-f0-9]{64})$/;

/** The identity of a reference that names content, without asking anyone. */
export function pinnedIdentity(image: string): string | undefined {
  const digest = PINNED_BY_DIGEST.exec(image)?.[1];
  if (digest) return `digest:${digest}`;
  const id = FULL_IMAGE_ID.exec(image)?.[1];
  return id ? `sha256:${id}` : undefined;
}
