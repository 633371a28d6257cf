import type { z } from 'zod';
import { HIDDEN, hideSecretKeys, isSecretField } from './secret-fields.js';
import { TooldockError } from './tooldock-error.js';

/**
 * Thrown synchronously, before any container exists, when an argument to a tooldock call is
 * not valid. The message names the offending field, its value and what would be valid.
 *
 * @example
 * ```ts
 * try { runTool('', ['true']); } catch (error) {
 *   if (error instanceof InvalidInputError) console.log(error.field); // "image"
 * }
 * ```
 */
export class InvalidInputError extends TooldockError {
  override readonly name = 'InvalidInputError';
  readonly code = 'ERR_TOOLDOCK_INVALID_INPUT';

  constructor(
    /** Dotted path of the offending field, e.g. `options.cpus` or `mounts[0]`. */
    readonly field: string,
    /** The value that was given; hidden where it may be a secret (secret-fields.ts). */
    readonly value: unknown,
    /** What would be valid, in words. */
    readonly expected: string,
    /** Whether the value may be a secret; default: by its field (secret-fields.ts). A key's name never is. */
    secret = isSecretField(field),
  ) {
    super(`${field}: ${secret ? `the value (${kindOf(value)}, ${HIDDEN})` : describeValue(value)} is not valid: ${expected}`);
    // The value itself must not reach util.inspect or JSON either.
    if (secret) this.value = HIDDEN;
  }
}

export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (value === undefined || value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  try {
    const json = JSON.stringify(value, hideSecretKeys);
    return json.length > 80 ? `${json.slice(0, 77)}...` : json;
  } catch {
    return 'an object';
  }
}

/** What a hidden value was, without any of its content. */
function kindOf(value: unknown): string {
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return value === null ? 'null' : `a ${typeof value}`;
}

/**
 * Parse with a zod schema, turning the first issue into an {@link InvalidInputError}.
 *
 * @example
 * ```ts
 * const options = parseOrThrow(z.object({ threads: z.number().int() }).strict(), input, 'bwa.mem');
 * // throws InvalidInputError('bwa.mem.threads', 1.5, 'Invalid input: expected int, received number')
 * ```
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, root: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = formatPath(root, issue.path);
  if (issue.code === 'invalid_key') {
    // A record's key is wrong (e.g. an env name with "="): name the key, and say why.
    const key = issue.path.at(-1);
    throw new InvalidInputError(field, key, issue.issues[0]?.message ?? issue.message, false);
  }
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(schemaAt(schema, issue.path));
    const key = issue.keys[0]!;
    throw new InvalidInputError(
      formatPath(root, [...issue.path, key]),
      valueAt(value, [...issue.path, key]),
      `"${key}" is not a known option` + (known.length ? `; valid options are ${known.join(', ')}` : ''),
    );
  }
  throw new InvalidInputError(field, valueAt(value, issue.path), issue.message);
}

function formatPath(root: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`;
    // Keys that are not plain names (`A=B`, `org.label`, "") are quoted, so the field is unambiguous.
    return typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key) ? `${acc}.${key}` : `${acc}[${JSON.stringify(String(key))}]`;
  }, root);
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType {
  let current: unknown = schema;
  for (const key of path) {
    const shape = (current as { shape?: Record<PropertyKey, unknown> }).shape;
    current = shape?.[key];
    // Unwrap optional/default wrappers to reach the inner object schema.
    while (current && (current as { unwrap?: () => unknown }).unwrap) current = (current as { unwrap: () => unknown }).unwrap();
  }
  return (current ?? schema) as z.ZodType;
}

function knownKeys(schema: z.ZodType): string[] {
  const shape = (schema as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}
