import { inspect } from 'node:util';
import { z } from 'zod';

/**
 * Explicit registry credentials (`options.auth`): a user name and password (or access token),
 * an identity token (OAuth refresh token, what `docker login` stores for some registries), or a
 * registry token (a bearer token the registry accepts as is).
 *
 * @example
 * ```ts
 * await runTool('registry.example.org/lab/cellranger:9.0.1', ['cellranger', '--version'], [], {
 *   auth: { username: 'me', password: process.env.REGISTRY_TOKEN! },
 * });
 * ```
 */
export type RegistryAuth = { username: string; password: string } | { identitytoken: string } | { registrytoken: string };

const nonEmpty = (what: string) => z.string({ error: `must be a non-empty string (${what})` }).min(1, `must be a non-empty string (${what})`);

const AUTH_FORMS = 'must be { username, password }, { identitytoken } or { registrytoken }';

/**
 * The `auth` option: checked, then hidden from `JSON.stringify` and `console.log` (run records,
 * error reports, debug dumps) while its fields stay readable for the pull.
 */
export const RegistryAuthSchema = z
  .union(
    [
      z.object({ username: nonEmpty('the user name'), password: nonEmpty('the password or access token') }).strict(),
      z.object({ identitytoken: nonEmpty('the identity token') }).strict(),
      z.object({ registrytoken: nonEmpty('the registry token') }).strict(),
    ],
    { error: AUTH_FORMS },
  )
  .transform((auth) => redacted(auth));

function redacted<T extends object>(auth: T): T {
  const kind = 'username' in auth ? `user ${String(auth.username)}` : 'identitytoken' in auth ? 'identity token' : 'registry token';
  const shown = `[registry credentials: ${kind}, secret hidden]`;
  Object.defineProperty(auth, 'toJSON', { value: () => shown, enumerable: false });
  Object.defineProperty(auth, inspect.custom, { value: () => shown, enumerable: false });
  return Object.freeze(auth);
}

/** What the daemon receives as X-Registry-Auth (dockerode's `authconfig`). */
export type DaemonAuthConfig = {
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
  serveraddress: string;
};

/** Credentials found for one registry, with where they came from (for messages) and the secrets (for scrubbing). */
export interface FoundCredentials {
  /** Undefined: pull anonymously. */
  authconfig: DaemonAuthConfig | undefined;
  /** What was tried, in words: a config file and key, a helper, the option — never a secret. */
  tried: string;
  /** Secret strings that must never appear in a message. */
  secrets: string[];
}

/** The daemon's auth object for explicit credentials. */
export function explicitAuthConfig(auth: RegistryAuth, serveraddress: string): FoundCredentials {
  const plain = { ...auth } as Record<string, string>;
  return {
    authconfig: { ...plain, serveraddress },
    tried: 'the auth option',
    secrets: Object.entries(plain)
      .filter(([key]) => key !== 'username')
      .map(([, value]) => value),
  };
}
