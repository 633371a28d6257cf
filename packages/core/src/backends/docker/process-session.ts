import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { LABEL } from './labels.js';

/**
 * This process's session: every container it starts carries these labels.
 *
 * @example
 * ```ts
 * console.log(`docker ps -a --filter label=tooldock.session=${session.id}`);
 * ```
 */
export const session = {
  id: randomBytes(8).toString('hex'),
  pid: process.pid,
  host: hostname(),
} as const;

/** Labels for a new container running `tool`. */
export function sessionLabels(tool: string): Record<string, string> {
  return {
    [LABEL.session]: session.id,
    [LABEL.pid]: String(session.pid),
    [LABEL.host]: session.host,
    [LABEL.tool]: tool,
  };
}
