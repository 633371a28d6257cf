import { daemonMessage } from '../backends/docker/engine/daemon-error.js';
import type { FoundCredentials } from './registry-auth.js';
import { TooldockError } from '../errors/tooldock-error.js';

/** How registries and the daemon word "who are you?" and "not you". */
const AUTH_FAILURE = /unauthori[sz]ed|authentication required|no basic auth credentials|denied|incorrect username or password/i;

/**
 * A pull the registry refused for want of (valid) credentials. The message names the registry,
 * what was tried and the fix; never a secret (neither here nor in `cause`).
 *
 * @example
 * ```ts
 * try { await runTool('registry.example.org/lab/private:1', ['true']); }
 * catch (error) { if (isToolError(error) && error.cause instanceof RegistryAuthError) console.log(error.cause.registry); }
 * ```
 */
export class RegistryAuthError extends TooldockError {
  readonly code = 'ERR_TOOLDOCK_REGISTRY_AUTH';
  override readonly name = 'RegistryAuthError';

  constructor(
    /** The registry that refused, e.g. `quay.io` or `127.0.0.1:5000`. */
    readonly registry: string,
    /** What was tried, in words (config file and key, helper, or the auth option). */
    readonly tried: string,
    message: string,
    cause: Error,
  ) {
    super(message, { cause });
  }
}

/**
 * The error for a failed pull: a {@link RegistryAuthError} when the registry refused the
 * credentials, a plain Error in the daemon's words otherwise. Either way every secret is blanked
 * out, and the daemon's error object (with whatever it carries) is not kept: only its words.
 */
export function pullFailure(image: string, registry: string, credentials: FoundCredentials, error: unknown): Error {
  const reason = scrub(daemonMessage(error), credentials.secrets);
  const cause = Object.assign(new Error(reason), { statusCode: (error as { statusCode?: number } | null)?.statusCode });
  if (!AUTH_FAILURE.test(reason)) return new Error(`could not pull ${image}: ${reason}`, { cause });
  const what = credentials.authconfig
    ? `the registry ${registry} refused the credentials from ${credentials.tried}`
    : `the registry ${registry} needs credentials and none were found (tried ${credentials.tried})`;
  const fix =
    credentials.tried === 'the auth option'
      ? 'check the user name and password/token passed as options.auth'
      : `run \`docker login ${registry}\` (with the same DOCKER_CONFIG), configure a credential helper, or pass options.auth`;
  return new RegistryAuthError(registry, credentials.tried, `could not pull ${image}: ${what} (${reason}); fix: ${fix}`, cause);
}

/** `text` with every secret (and its base64 form) replaced. */
export function scrub(text: string, secrets: readonly string[]): string {
  let clean = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue; // too short to be told apart from ordinary words
    for (const form of [secret, Buffer.from(secret).toString('base64')]) clean = clean.split(form).join('***');
  }
  return clean;
}
