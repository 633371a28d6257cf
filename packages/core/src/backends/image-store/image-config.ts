/** What an image's config says a run uses, as `docker run` reads it. */
export interface ImageConfig {
  entrypoint: string[] | null;
  cmd: string[] | null;
  env: string[];
  workingDir: string;
}

/** The run settings of an OCI / Docker image config (the JSON `docker save` and registries serve). */
export function imageConfig(bytes: Buffer): ImageConfig {
  const parsed = JSON.parse(bytes.toString('utf8')) as {
    config?: { Entrypoint?: string[] | null; Cmd?: string[] | null; Env?: string[] | null; WorkingDir?: string } | null;
  };
  const config = parsed.config ?? {};
  const strings = (value: unknown): string[] | null => (Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : null);
  return {
    entrypoint: strings(config.Entrypoint),
    cmd: strings(config.Cmd),
    env: strings(config.Env) ?? [],
    workingDir: typeof config.WorkingDir === 'string' && config.WorkingDir !== '' ? config.WorkingDir : '/',
  };
}
