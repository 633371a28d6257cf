import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';

/**
 * Whether `key` (the raw host key blob) is listed for `host:port` in an OpenSSH known_hosts
 * file, plain or hashed (`|1|salt|hash`) — so a tool never talks to an impostor daemon.
 */
export function isKnownHostKey(file: string, host: string, port: number, key: Buffer): boolean {
  if (!existsSync(file)) return false;
  const name = port === 22 ? host : `[${host}]:${port}`;
  return readFileSync(file, 'utf8')
    .split('\n')
    .some((line) => {
      const [hosts, , blob] = line.trim().split(/\s+/);
      if (!hosts || !blob || hosts.startsWith('#') || hosts.startsWith('@')) return false;
      return matchesHost(hosts, name) && Buffer.from(blob, 'base64').equals(key);
    });
}

function matchesHost(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    return createHmac('sha1', Buffer.from(salt!, 'base64')).update(name).digest('base64') === hash;
  }
  return field.split(',').includes(name);
}
