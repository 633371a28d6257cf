import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** A docker CLI context's daemon endpoint, as `docker context inspect` shows it. */
export interface DockerContext {
  name: string;
  /** `unix:///…`, `tcp://…`, `ssh://…`. */
  host: string;
  skipTLSVerify: boolean;
  /** `ca.pem`, `cert.pem`, `key.pem` of a TLS context, when it has them. */
  tlsDir: string | undefined;
}

/** `$DOCKER_CONFIG`, else `~/.docker` — where the docker CLI keeps config.json and contexts. */
export function dockerConfigDir(): string {
  return process.env.DOCKER_CONFIG || join(homedir(), '.docker');
}

/**
 * The context the docker CLI would use, in its order: `DOCKER_CONTEXT`, then `currentContext`
 * in config.json. Undefined for none or `default` (the default socket). A named context that
 * does not exist is an error, as it is for the CLI.
 *
 * @example
 * ```ts
 * const current = currentDockerContext();
 * console.log(current ? `${current.context.name}: ${current.context.host}` : 'default daemon');
 * ```
 */
export function currentDockerContext(): { context: DockerContext; chosenBy: 'DOCKER_CONTEXT' | 'config.json' } | undefined {
  const configDir = dockerConfigDir();
  const fromEnv = process.env.DOCKER_CONTEXT;
  const name = fromEnv || readCurrentContext(configDir);
  if (!name || name === 'default') return undefined;
  return { context: readDockerContext(configDir, name), chosenBy: fromEnv ? 'DOCKER_CONTEXT' : 'config.json' };
}

function readCurrentContext(configDir: string): string | undefined {
  const file = join(configDir, 'config.json');
  if (!existsSync(file)) return undefined;
  try {
    const config = JSON.parse(readFileSync(file, 'utf8')) as { currentContext?: unknown };
    return typeof config.currentContext === 'string' ? config.currentContext : undefined;
  } catch (error) {
    throw new Error(`cannot read the docker CLI config ${file}: ${(error as Error).message}`);
  }
}

/** Reads `contexts/meta/<sha256(name)>/meta.json`, the CLI's own storage layout. */
export function readDockerContext(configDir: string, name: string): DockerContext {
  const id = createHash('sha256').update(name).digest('hex');
  const metaFile = join(configDir, 'contexts', 'meta', id, 'meta.json');
  if (!existsSync(metaFile)) {
    throw new Error(
      `docker context "${name}" does not exist (no ${metaFile}); list them with \`docker context ls\`, ` +
        'or unset DOCKER_CONTEXT / currentContext in config.json to use the default daemon',
    );
  }
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as { Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } } };
  const endpoint = meta.Endpoints?.docker;
  if (!endpoint?.Host) throw new Error(`docker context "${name}" has no docker endpoint in ${metaFile}`);
  const tlsDir = join(configDir, 'contexts', 'tls', id, 'docker');
  return {
    name,
    host: endpoint.Host,
    skipTLSVerify: endpoint.SkipTLSVerify === true,
    tlsDir: existsSync(join(tlsDir, 'ca.pem')) ? tlsDir : undefined,
  };
}
