/**
 * A Charliecloud tool's environment, the same locally and on a node: the image's own variables,
 * `HOME=/tmp` (the image is read-only and the caller's home is not mounted), then the run's `env`.
 */
export function toolEnvironment(imageEnv: string[], runEnv: Record<string, string> | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const pair of imageEnv) {
    const at = pair.indexOf('=');
    if (at > 0) record[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return { ...record, HOME: '/tmp', ...runEnv };
}
