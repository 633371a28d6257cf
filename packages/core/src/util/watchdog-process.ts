import { spawn } from 'node:child_process';

/**
 * What a watchdog script (`node -e`) runs first: reads its configuration — one JSON line — from
 * its stdin pipe, Buffers revived (TLS ca/cert/key arrive as usable bytes, not `{type,data}`),
 * then calls `main(config)`. The same pipe closing later is the watchdog's signal that we died.
 */
export const READ_CONFIG_PRELUDE = `
function readConfig(main) {
  let text = '';
  const onData = (chunk) => {
    text += chunk.toString('utf8');
    const end = text.indexOf('\\n');
    if (end < 0) return;
    process.stdin.off('data', onData);
    process.stdin.on('data', () => {});
    main(JSON.parse(text.slice(0, end), (_key, value) => value && typeof value === 'object' && typeof value.$base64 === 'string' ? Buffer.from(value.$base64, 'base64') : value));
  };
  process.stdin.on('data', onData);
}
`;

/** `value` as one JSON line, Buffers as `{ $base64 }` (JSON.stringify would make them `{type,data}`). */
export function encodeConfig(value: unknown): string {
  return `${JSON.stringify(withBase64(value))}\n`;
}

function withBase64(value: unknown): unknown {
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return { $base64: Buffer.from(value).toString('base64') };
  if (Array.isArray(value)) return value.map(withBase64);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, withBase64(v)]),
    );
  return value;
}

/**
 * Starts a detached watchdog (`node -e script`) that outlives us. Its configuration — which may
 * hold a TLS client key — goes through its stdin pipe, never its command line: `/proc/<pid>/cmdline`
 * is readable by every local user, the pipe only by the two ends. The pipe stays open; its
 * closing (we exited or were killed, even by SIGKILL) is what the watchdog waits for.
 */
export function startWatchdogProcess(script: string, config: unknown, what: string): void {
  const child = spawn(process.execPath, ['-e', script], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  child.on('error', (error) => process.emitWarning(`tooldock: could not start ${what}: ${error.message}`));
  child.stdin?.on('error', () => {});
  child.stdin?.write(encodeConfig(config));
  // Neither the child nor its pipe may keep this process alive.
  child.unref();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
}
