import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { SshDialAgent } from './ssh-dial-agent.js';

/** What docker-modem knows about reaching the daemon (not in its typings). */
interface ModemTransport {
  socketPath?: string | (() => Promise<string>);
  host?: string;
  port?: string | number;
  protocol?: string;
  ca?: unknown;
  cert?: unknown;
  key?: unknown;
  getSocketPath?: () => Promise<string>;
  agent?: unknown;
}

/**
 * Attaches stdin, stdout and stderr through a hijacked connection, as `docker run -i` does.
 * Hand-rolled because docker-modem writes the attach options as a request body, which the
 * daemon then delivers into the tool's stdin (apocas/docker-modem#198). We send no body.
 */
export async function attachWithStdin(docker: Docker, containerId: string): Promise<Duplex> {
  const modem = docker.modem as unknown as ModemTransport;
  const path = `/containers/${containerId}/attach?stream=1&stdin=1&stdout=1&stderr=1`;
  const headers = { Connection: 'Upgrade', Upgrade: 'tcp', 'Content-Length': '0' };
  const socketPath = typeof modem.socketPath === 'function' ? await modem.getSocketPath!() : modem.socketPath;
  const secure = modem.protocol === 'https';
  // ssh://: a channel of the engine's shared ssh connection carries the hijacked stream.
  const ssh = modem.agent instanceof SshDialAgent ? modem.agent : undefined;
  if (!socketPath && modem.protocol !== 'http' && !secure) {
    throw new Error(`stdin is not supported over ${modem.protocol}:// yet; use a unix socket, tcp:// or ssh:// daemon`);
  }
  const request = (secure ? https : http).request({
    method: 'POST',
    path,
    headers,
    ...(ssh
      ? { createConnection: ssh.createConnection.bind(ssh) as unknown as http.RequestOptions['createConnection'], host: 'docker' }
      : { agent: false }),
    ...(ssh ? {} : socketPath ? { socketPath } : { host: modem.host, port: Number(modem.port) }),
    ...(secure ? ({ ca: modem.ca, cert: modem.cert, key: modem.key } as https.RequestOptions) : {}),
  });
  return new Promise<Duplex>((resolve, reject) => {
    request.once('upgrade', (_response, socket, head) => {
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    request.once('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (c: string) => (body += c));
      response.on('end', () =>
        reject(Object.assign(new Error(`attach failed (HTTP ${response.statusCode}): ${body.trim()}`), { statusCode: response.statusCode })),
      );
    });
    request.once('error', reject);
    request.end();
  });
}
