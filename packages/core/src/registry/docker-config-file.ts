import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dockerConfigDir } from '../backends/docker/engine/docker-context.js';

/** An `auths` entry of config.json, as `docker login` writes it (or older CLIs did). */
export interface StoredAuth {
  /** base64 of `user:password`. */
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** The parts of the docker CLI's config.json that say where credentials are. */
export interface DockerConfigFile {
  /** Where it was (or would be) read from. */
  path: string;
  exists: boolean;
  auths: Record<string, StoredAuth>;
  credsStore: string | undefined;
  credHelpers: Record<string, string>;
}

/** Bigger than any real config.json; a bigger file is not one. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/** Reads `$DOCKER_CONFIG/config.json` (else `~/.docker/config.json`); a missing file means no credentials. */
export async function readDockerConfigFile(): Promise<DockerConfigFile> {
  const path = join(dockerConfigDir(), 'config.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { path, exists: false, auths: {}, credsStore: undefined, credHelpers: {} };
    throw new Error(`could not read the docker config file ${path}: ${(error as Error).message}`);
  }
  if (text.length > MAX_CONFIG_BYTES) throw new Error(`the docker config file ${path} is larger than 1 MiB; it cannot be a docker config.json`);
  return parseConfig(path, text);
}

function parseConfig(path: string, text: string): DockerConfigFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    // The parser's message quotes the text around the error, which may be a secret: not repeated.
    throw new Error(`the docker config file ${path} is not valid JSON; fix or remove it (docker login rewrites it)`);
  }
  const config = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  return {
    path,
    exists: true,
    auths: objectOf(config.auths) as Record<string, StoredAuth>,
    credsStore: typeof config.credsStore === 'string' && config.credsStore !== '' ? config.credsStore : undefined,
    credHelpers: Object.fromEntries(Object.entries(objectOf(config.credHelpers)).filter(([, v]) => typeof v === 'string')) as Record<string, string>,
  };
}

function objectOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
