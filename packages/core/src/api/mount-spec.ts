import { existsSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import { z } from 'zod';
import { InvalidInputError, parseOrThrow } from '../errors/invalid-input-error.js';

/**
 * A path to share with the tool:
 * - `"/data/in"`: read-only, at the same path inside the tool container (args need no rewriting);
 * - `"/data/out:rw"` (or `":ro"`): with an explicit mode;
 * - `{ path, target?, write? }`: full form.
 */
export type MountSpec = string | { path: string; target?: string; write?: boolean };

/** A mount in the caller's own filesystem, before translation to what the daemon sees. */
export interface LocalMount {
  /** Path in the caller's filesystem. */
  path: string;
  /** Path inside the tool container. */
  target: string;
  write: boolean;
}

const objectSpec = z
  .object({
    path: z.string(),
    target: z.string().optional(),
    write: z.boolean().optional(),
  })
  .strict();

/** Validates mount specs (absolute, existing) and normalises them. Throws {@link InvalidInputError}. */
export function parseMounts(specs: unknown): LocalMount[] {
  if (specs === undefined) return [];
  if (!Array.isArray(specs)) throw new InvalidInputError('mounts', specs, 'must be an array of paths or { path, target?, write? }');
  const mounts = specs.map((spec, i) => parseMount(spec, `mounts[${i}]`));
  const seen = new Map<string, number>();
  mounts.forEach((m, i) => {
    const earlier = seen.get(m.target);
    if (earlier !== undefined) {
      throw new InvalidInputError(`mounts[${i}]`, specs[i], `mounts[${earlier}] already mounts something at ${m.target}`);
    }
    seen.set(m.target, i);
  });
  return mounts;
}

function parseMount(spec: unknown, field: string): LocalMount {
  let path: string;
  let target: string | undefined;
  let write = false;
  if (typeof spec === 'string') {
    ({ path, write } = splitMode(spec, field));
  } else if (typeof spec === 'object' && spec !== null) {
    const parsed = parseOrThrow(objectSpec, spec, field);
    ({ path, target } = parsed);
    write = parsed.write ?? false;
  } else {
    throw new InvalidInputError(field, spec, 'must be a path string or { path, target?, write? }');
  }
  const pathField = typeof spec === 'string' ? field : `${field}.path`;
  if (!path || !isAbsolute(path)) {
    throw new InvalidInputError(pathField, path, 'must be an absolute path (relative paths mean different things in each container)');
  }
  if (!existsSync(path)) {
    throw new InvalidInputError(pathField, path, 'does not exist; create it first (the daemon would otherwise create an empty root-owned directory)');
  }
  if (target !== undefined && !isAbsolute(target)) {
    throw new InvalidInputError(`${field}.target`, target, 'must be an absolute path inside the tool container');
  }
  const mount = { path: stripSlash(normalize(path)), target: stripSlash(normalize(target ?? path)), write };
  const reserved = reservedTarget(mount.target);
  if (reserved) {
    const suggestion = `{ path: ${JSON.stringify(mount.path)}, target: ${JSON.stringify(stripSlash(join('/host', mount.target)))} }`;
    throw new InvalidInputError(
      target === undefined ? field : `${field}.target`,
      target === undefined ? spec : target,
      `cannot be mounted at ${mount.target} inside the tool container (${reserved}); mount it elsewhere, e.g. ${suggestion}`,
    );
  }
  return mount;
}

/** The valid mode suffixes of a string spec. */
const MODES = { ro: false, rw: true } as const;

/**
 * `"/path:rw"` → path and mode. A path may itself contain ":", so a trailing `:word(,word)*` is
 * read as options only when the whole string is not an existing path.
 */
function splitMode(spec: string, field: string): { path: string; write: boolean } {
  const suffix = /^(.+):([A-Za-z]+(?:,[A-Za-z]+)*)$/.exec(spec);
  if (!suffix || existsSync(spec)) return { path: spec, write: false };
  const [, path, options] = suffix;
  if (!Object.hasOwn(MODES, options!)) {
    throw new InvalidInputError(
      field,
      spec,
      `":${options}" is an unknown mode; use ":ro" (read-only, the default) or ":rw" (writable). ` +
        'Docker\'s other mount options are not supported, the SELinux relabel options "z" and "Z" included (they would change the labels of the host\'s own files)',
    );
  }
  return { path: path!, write: MODES[options as keyof typeof MODES] };
}

/** Why a path inside the tool container cannot take a mount, or undefined when it can. */
function reservedTarget(target: string): string | undefined {
  if (target === '/') return "it would replace the tool's whole filesystem";
  const top = ['/proc', '/sys', '/dev'].find((dir) => target === dir || target.startsWith(`${dir}/`));
  return top ? `the container runtime provides ${top} itself` : undefined;
}

function stripSlash(p: string): string {
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}
