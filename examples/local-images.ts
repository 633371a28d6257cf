import { readFileSync } from 'node:fs';

/**
 * The examples run offline, on images built locally by scripts/images.sh (no registry is
 * reachable on the machines they are tested on). With a registry, use the real images instead,
 * e.g. quay.io/biocontainers/samtools:1.22.1--h96c455f_0.
 */
export function localImage(name: 'busybox' | 'bio'): string {
  const env = process.env[`TOOLDOCK_${name.toUpperCase()}_IMAGE`];
  if (env) return env;
  const tags = JSON.parse(readFileSync(new URL('../.cache/test-images.json', import.meta.url), 'utf8')) as Record<string, string>;
  return tags[name]!;
}
