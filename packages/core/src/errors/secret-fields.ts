/**
 * The redaction rule: where a value may be a secret, tooldock never shows it — not in an
 * error's message, its `util.inspect` or JSON form, a run record or a warning. A value is
 * secret when a field on its path is one of these names (compared case-insensitively): the
 * tool's environment (`env.*`, a token passed to one call), registry credentials (`auth.*`),
 * `ssh.*` keys and passphrases, and any field named like a credential.
 */
const SECRET_NAMES = [
  'env',
  'auth',
  'ssh',
  'password',
  'passphrase',
  'secret',
  'token',
  'identitytoken',
  'registrytoken',
  'privatekey',
  'key',
  'cert',
  'ca',
];

/** What is shown instead of a secret value. */
export const HIDDEN = '[hidden: may be a secret]';

/** Whether a dotted field path (`options.env.TOKEN`, `options.auth`, `x["a b"]`) may hold a secret. */
export function isSecretField(field: string): boolean {
  return field.split(/[.[\]"]+/).some((segment) => isSecretName(segment));
}

export function isSecretName(name: string): boolean {
  return SECRET_NAMES.includes(name.toLowerCase());
}

/** `JSON.stringify` replacer: the values of secret-named keys are hidden at any depth. */
export function hideSecretKeys(key: string, value: unknown): unknown {
  return key !== '' && isSecretName(key) ? HIDDEN : value;
}
