import { askCredentialHelper } from './credential-helper.js';
import { readDockerConfigFile, type DockerConfigFile, type StoredAuth } from './docker-config-file.js';
import { explicitAuthConfig, type FoundCredentials, type RegistryAuth } from './registry-auth.js';
import { credentialKey, keyHost } from './registry-host.js';

/** The user name a credential helper answers with when its secret is an identity token. */
const TOKEN_USERNAME = '<token>';

/**
 * The credentials for pulling from `registry`, found as the docker CLI finds them
 * (cli/config/configfile GetAuthConfig): the explicit `auth` option first; else, from
 * `$DOCKER_CONFIG/config.json` (or `~/.docker/config.json`), the registry's `credHelpers` entry,
 * else `credsStore`, each asked through `docker-credential-<name> get`; else the `auths` entry.
 * A helper that has nothing stored means an anonymous pull, as with the CLI.
 */
export async function findCredentials(registry: string, explicit: RegistryAuth | undefined, signal: AbortSignal): Promise<FoundCredentials> {
  const key = credentialKey(registry);
  if (explicit) return explicitAuthConfig(explicit, key);
  const config = await readDockerConfigFile();
  const helper = config.credHelpers[key] ?? config.credsStore;
  if (helper) return fromHelper(helper, key, config, signal);
  return fromAuths(key, config);
}

async function fromHelper(helper: string, key: string, config: DockerConfigFile, signal: AbortSignal): Promise<FoundCredentials> {
  const from = config.credHelpers[key] ? `credHelpers["${key}"]` : 'credsStore';
  const tried = `credential helper docker-credential-${helper} (${from} in ${config.path})`;
  let answer;
  try {
    answer = await askCredentialHelper(helper, key, signal);
  } catch (error) {
    if (signal.aborted) throw error;
    throw new Error(`could not get credentials for ${key} from ${tried}: ${(error as Error).message}`);
  }
  if (!answer.found) return { authconfig: undefined, tried: `${tried}, which has none stored for ${key}`, secrets: [] };
  const authconfig =
    answer.username === TOKEN_USERNAME
      ? { identitytoken: answer.secret, serveraddress: key }
      : { username: answer.username, password: answer.secret, serveraddress: key };
  return { authconfig, tried, secrets: [answer.secret] };
}

function fromAuths(key: string, config: DockerConfigFile): FoundCredentials {
  if (!config.exists) return { authconfig: undefined, tried: `${config.path} (no such file)`, secrets: [] };
  const match = config.auths[key] !== undefined ? key : Object.keys(config.auths).find((stored) => keyHost(stored) === key);
  const stored = match === undefined ? undefined : config.auths[match];
  const authconfig = stored ? storedAuthConfig(stored, key) : undefined;
  if (!authconfig)
    return { authconfig: undefined, tried: `${config.path} (no auths entry for ${key}, no credHelpers entry, no credsStore)`, secrets: [] };
  const secrets = [authconfig.password, authconfig.identitytoken, authconfig.registrytoken, stored?.auth].filter((s): s is string => !!s);
  return { authconfig, tried: `auths["${match}"] in ${config.path}`, secrets };
}

/** An `auths` entry as the daemon's auth object: `auth` is base64 of `user:password`. */
function storedAuthConfig(stored: StoredAuth, serveraddress: string): FoundCredentials['authconfig'] {
  if (typeof stored.identitytoken === 'string' && stored.identitytoken) return { identitytoken: stored.identitytoken, serveraddress };
  if (typeof stored.registrytoken === 'string' && stored.registrytoken) return { registrytoken: stored.registrytoken, serveraddress };
  if (typeof stored.auth === 'string' && stored.auth) {
    const decoded = Buffer.from(stored.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress };
  }
  if (typeof stored.username === 'string' && typeof stored.password === 'string')
    return { username: stored.username, password: stored.password, serveraddress };
  return undefined;
}
