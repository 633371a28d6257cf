import { findCredentials } from '../../registry/find-credentials.js';
import type { DaemonAuthConfig } from '../../registry/registry-auth.js';
import { boundedBody } from './bounded-body.js';
import { isLoopbackRegistry, type RegistryReference } from './registry-reference.js';

/** A token answer is a few KiB (a JWT and its expiry); anything past this is no token service's. */
const MAX_TOKEN_ANSWER_BYTES = 1024 * 1024;

/**
 * What a registry's 401 asks for, with the credentials the docker CLI would use
 * (`findCredentials`: config.json `auths`, `credHelpers`, `credsStore`): HTTP Basic, or a Bearer
 * token from the realm the registry names (docker's token flow). No credential or token is ever
 * put into a message.
 */
export async function authorizationFor(ref: RegistryReference, challenge: string, signal: AbortSignal): Promise<string> {
  const found = await findCredentials(ref.registry, undefined, signal);
  const scheme = challenge.split(' ')[0]!.toLowerCase();
  const credentials = found.authconfig;
  if (scheme === 'basic') {
    if (!credentials?.username || credentials.password === undefined)
      throw new Error(`${ref.apiHost} asks for a user name and password; none found in ${found.tried}`);
    return basic(credentials.username, credentials.password);
  }
  if (scheme !== 'bearer') throw new Error(`${ref.apiHost} asks for an authentication scheme tooldock does not speak (${scheme || 'none named'})`);
  if (credentials?.registrytoken) return `Bearer ${credentials.registrytoken}`;
  return `Bearer ${await token(ref, challengeParams(challenge), credentials, signal)}`;
}

/** A pull token from the realm (docker's token flow; an identity token is a refresh token). */
async function token(
  ref: RegistryReference,
  params: Record<string, string>,
  credentials: DaemonAuthConfig | undefined,
  signal: AbortSignal,
): Promise<string> {
  const realm = new URL(params.realm ?? '');
  // Credentials go to the realm: never over plain http, except to a loopback one.
  if (realm.protocol !== 'https:' && !(realm.protocol === 'http:' && isLoopbackRegistry(realm.host))) {
    throw new Error(`${ref.apiHost} names a token realm that is not https (${realm.origin}): refused`);
  }
  const scope = `repository:${ref.repository}:pull`;
  let response: Response;
  if (credentials?.identitytoken) {
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: credentials.identitytoken,
      service: params.service ?? '',
      scope,
      client_id: 'tooldock',
    });
    response = await fetch(realm, { method: 'POST', body: form, signal: signal });
  } else {
    if (params.service) realm.searchParams.set('service', params.service);
    realm.searchParams.set('scope', scope);
    const headers: Record<string, string> = {};
    if (credentials?.username && credentials.password !== undefined) {
      headers.authorization = basic(credentials.username, credentials.password);
    }
    response = await fetch(realm, { headers, signal: signal });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`the token service ${realm.origin} answered ${response.status} for ${scope}`);
  }
  const answer = await boundedBody(response, MAX_TOKEN_ANSWER_BYTES, `the answer of the token service ${realm.origin}`);
  let body: { token?: unknown; access_token?: unknown } = {};
  try {
    body = JSON.parse(answer.toString('utf8')) as typeof body;
  } catch {
    // Not JSON: no token in it (said just below).
  }
  const token = typeof body.token === 'string' ? body.token : body.access_token;
  if (typeof token !== 'string' || !token) throw new Error(`the token service ${realm.origin} sent no token`);
  return token;
}

/** `Bearer realm="…",service="…",scope="…"` as a map. */
export function challengeParams(challenge: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const match of challenge.matchAll(/(\w+)="([^"]*)"/g)) params[match[1]!.toLowerCase()] = match[2]!;
  return params;
}

/** An HTTP Basic Authorization header: to the registry, or to the realm for a token. */
function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
